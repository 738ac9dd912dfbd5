"""The Redis store: every slot and meter operation is one script call, one round trip.

Keys (each seat's keys share the hash tag {prefix:s<seat>}, each meter's {prefix:m<meter>}, so
that one seat or one meter lives in one Redis Cluster slot):

    {acc:s42}:slot        HASH d (device holding the slot), f (fence), s (last active, ms)
    {acc:mr:<id>}:meter   ZSET article -> when it was counted (ms)

The scripts follow rules.py exactly (tests/test_store_contract.py runs both stores through one
contract). Times come from the web process, as ms since the epoch, so that every host reads
the lease the same way only if their clocks agree: run NTP.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import redis

from broadsheet.redis_guard import RedisUnavailableError, guard_for, redis_client

from ..rules import MeterOutcome, SlotOutcome
from .base import StoreUnavailableError

logger = logging.getLogger(__name__)

# A slot's record outlives any lease; the fence never restarts even when it does expire
# (rules.next_fence).
SLOT_TTL_SECONDS = 30 * 24 * 3600

# Shared by the slot scripts. Returns {held, fence, holder, holder_seen, taken_from}, or only
# {1, fence} when the device held the slot already: the common case, and a shorter reply to
# parse (bench/results/access_store.md). The record's TTL is part of the script's text.
_SLOT_COMMON = f"""
local slot = redis.call('HMGET', KEYS[1], 'd', 'f', 's')
local holder = slot[1] or ''
local fence = tonumber(slot[2] or '0')
local seen = tonumber(slot[3] or '0')
local device = ARGV[1]
local now = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
local ttl = {SLOT_TTL_SECONDS}
local function claim()
  if holder == device then
    redis.call('HSET', KEYS[1], 's', now)
    redis.call('EXPIRE', KEYS[1], ttl)
    return {{1, fence}}
  end
  if holder == '' or seen + lease <= now then
    local next_fence = math.max(fence + 1, now)
    redis.call('HSET', KEYS[1], 'd', device, 'f', next_fence, 's', now)
    redis.call('EXPIRE', KEYS[1], ttl)
    return {{1, next_fence, '', 0, holder}}
  end
  return {{0, fence, holder, seen, ''}}
end
"""

# KEYS: the slot. ARGV: device, now (ms), lease (ms).
SLOT_CLAIM = _SLOT_COMMON + "return claim()\n"

# KEYS: the slot. ARGV: device, now, lease, the fence the page holds.
SLOT_HEARTBEAT = (
    _SLOT_COMMON
    + """
if holder == device and fence == tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[1], 's', now)
  redis.call('EXPIRE', KEYS[1], ttl)
  return {1, fence}
end
if holder == '' or seen + lease <= now then
  return claim()
end
return {0, fence, holder, seen, ''}
"""
)

# KEYS: the slot. ARGV: device, now, lease.
SLOT_TAKE_OVER = (
    _SLOT_COMMON
    + """
local next_fence = math.max(fence + 1, now)
redis.call('HSET', KEYS[1], 'd', device, 'f', next_fence, 's', now)
redis.call('EXPIRE', KEYS[1], ttl)
-- A takeover only if another device was active; else the slot was free anyway.
if holder == device or seen + lease <= now then holder = '' end
return {1, next_fence, '', 0, holder}
"""
)

# KEYS: the slot. ARGV: device. Returns 1 when this device held the slot and freed it.
SLOT_RELEASE = """
local holder = redis.call('HGET', KEYS[1], 'd') or ''
if holder ~= '' and holder == ARGV[1] then
  redis.call('HSET', KEYS[1], 'd', '', 's', 0)
  return 1
end
return 0
"""

# KEYS: the meter. ARGV: article, now (ms), period (ms), limit.
# Returns {allowed, already_counted, used}.
METER_COUNT = """
local now = tonumber(ARGV[2])
local period = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return {1, 1, redis.call('ZCARD', KEYS[1])}
end
local used = redis.call('ZCARD', KEYS[1])
if used >= tonumber(ARGV[4]) then
  return {0, 0, used}
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], period)
return {1, 0, used + 1}
"""


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _from_ms(value: int) -> datetime | None:
    return datetime.fromtimestamp(value / 1000, tz=UTC) if value else None


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")


class RedisStore:
    name = "redis"

    def __init__(self, *, url: str, prefix: str, timeout: float):
        self.prefix = prefix
        self.client = redis_client(url, timeout=timeout)
        self._claim = self.client.register_script(SLOT_CLAIM)
        self._heartbeat = self.client.register_script(SLOT_HEARTBEAT)
        self._take_over = self.client.register_script(SLOT_TAKE_OVER)
        self._release = self.client.register_script(SLOT_RELEASE)
        self._meter = self.client.register_script(METER_COUNT)
        # While Redis is down, fail at once instead of making every reader wait a timeout.
        self._guard = guard_for(url)

    def _call(self, function, *args, **kwargs):
        try:
            return self._guard.call(function, *args, **kwargs)
        except RedisUnavailableError as error:
            raise StoreUnavailableError(str(error)) from error

    def _script(self, script, key: str, *args):
        """EVALSHA of one of the scripts on one key. redis-py's Script.__call__ does the same
        with ~3 µs more per call (tuples rebuilt, an import on every call); like it, a server
        that lost its scripts (a restart) has the script loaded again."""
        try:
            return self.client.evalsha(script.sha, 1, key, *args)
        except redis.exceptions.NoScriptError:
            script.sha = self.client.script_load(script.script)
            return self.client.evalsha(script.sha, 1, key, *args)

    def clear(self) -> None:
        """Forget every slot and meter under this prefix (tests and benchmarks)."""
        keys = list(self.client.scan_iter(match=f"{{{self.prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            self.client.delete(*keys[start : start + 1000])

    def slot_key(self, seat_id: int) -> str:
        return f"{{{self.prefix}:s{seat_id}}}:slot"

    def meter_key(self, meter: str) -> str:
        return f"{{{self.prefix}:m{meter}}}:meter"

    @staticmethod
    def _slot_outcome(reply) -> SlotOutcome:
        if len(reply) == 2:  # {1, fence}: this device held the slot already
            return SlotOutcome(available=True, held=True, fence=int(reply[1]))
        held, fence, holder, seen, taken_from = reply
        return SlotOutcome(
            available=True,
            held=bool(int(held)),
            fence=int(fence),
            holder_device=_text(holder),
            holder_seen=_from_ms(int(seen)),
            taken_from=_text(taken_from),
        )

    def _slot_args(self, device: str, now: datetime, lease: timedelta) -> list:
        return [device, _ms(now), int(lease.total_seconds() * 1000)]

    def slot_claim(
        self, *, seat_id: int, device: str, now: datetime, lease: timedelta
    ) -> SlotOutcome:
        reply = self._call(
            self._script, self._claim, self.slot_key(seat_id), *self._slot_args(device, now, lease)
        )
        return self._slot_outcome(reply)

    def slot_heartbeat(
        self, *, seat_id: int, device: str, fence: int, now: datetime, lease: timedelta
    ) -> SlotOutcome:
        args = self._slot_args(device, now, lease)
        reply = self._call(self._script, self._heartbeat, self.slot_key(seat_id), *args, fence)
        return self._slot_outcome(reply)

    def slot_take_over(
        self, *, seat_id: int, device: str, now: datetime, lease: timedelta
    ) -> SlotOutcome:
        args = self._slot_args(device, now, lease)
        reply = self._call(self._script, self._take_over, self.slot_key(seat_id), *args)
        return self._slot_outcome(reply)

    def slot_release(self, *, seat_id: int, device: str) -> bool:
        reply = self._call(self._script, self._release, self.slot_key(seat_id), device)
        return bool(int(reply))

    def slot_holder(self, *, seat_id: int) -> tuple[str, int, datetime | None]:
        device, fence, seen = self._call(self.client.hmget, self.slot_key(seat_id), ["d", "f", "s"])
        return _text(device), int(fence or 0), _from_ms(int(seen or 0))

    def meter_count(
        self, *, meter: str, article_id: int, limit: int, period: timedelta, now: datetime
    ) -> MeterOutcome:
        args = [article_id, _ms(now), int(period.total_seconds() * 1000), limit]
        allowed, already, used = self._call(self._script, self._meter, self.meter_key(meter), *args)
        return MeterOutcome(
            available=True,
            allowed=bool(int(allowed)),
            already_counted=bool(int(already)),
            used=int(used),
            limit=limit,
        )

    def meter_used(self, *, meter: str, period: timedelta, now: datetime) -> int:
        since = _ms(now - period)
        return int(self._call(self.client.zcount, self.meter_key(meter), f"({since}", "+inf"))
