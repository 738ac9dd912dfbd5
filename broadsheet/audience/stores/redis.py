"""The Redis store: hourly ranked sets per edition, and the 24-hour and 7-day rankings kept
precomputed, so that a view is one script call and a "Most viewed" read is one more.

Keys (every key of an edition shares the hash tag {prefix:edition}, so an edition lives in one
Redis Cluster slot and its scripts may touch all of its keys):

    {aud:en-us}:h:<hour>          ZSET article -> views in that hour             (expires)
    {aud:en-us}:x:<hour>          HASH "<article>:p" paywall hits, ":s" subscriptions (expires)
    {aud:en-us}:s:<yyyymmdd>      HASH "<article>:<source>" -> views that day    (expires)
    {aud:en-us}:w24, :w168        ZSET article -> views over the window
    {aud:en-us}:w24:from, ...     the oldest hour the window holds
    {aud:en-us}:m:<kind>:<article>:<reader>   the reload window of one reader (expires)
    {aud:en-us}:alive             set once the counters are whole: missing after a flush

A window moves by subtracting the hour that falls out of it (once per hour per window), or is
rebuilt from the hourly sets when it is far behind or was lost. Reads notice a window that is
behind and move it first, so the rankings are right even when the tick is late.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

import redis

from broadsheet.redis_guard import RedisUnavailableError, guard_for, redis_client, run_scripts

from ..hits import Hit, Kind, hour_index, window_hours
from .base import (
    CounterStore,
    HourCounts,
    SourceCount,
    StoreIncompleteError,
    StoreUnavailableError,
)

logger = logging.getLogger(__name__)

# Windows kept precomputed: hours -> key suffix.
WINDOWS = {24: "w24", 168: "w168"}
# Hourly and daily data live long enough for the 7-day window, a restore and the dashboard's
# overlay of the hours the tick has not copied yet.
BUCKET_SECONDS = 9 * 24 * 3600
# A window this many hours behind is rebuilt rather than moved hour by hour.
REBUILD_AFTER_HOURS = 6
KIND_CODES: dict[str, str] = {Kind.VIEW: "v", Kind.PAYWALL: "p", Kind.SUBSCRIBE: "s"}
# Hits counted by one script call (a call holds Redis for some tens of microseconds per hit).
RECORD_BATCH = 500

# Count a batch of hits of one edition in one hour (a single hit is a batch of one).
# KEYS: 1 the hour's ranked set, 2/3 the 24-hour window and its start, 4/5 the 7-day window and
# its start, 6 the day's sources, 7 the hour's other kinds; then per hit its reader's mark and
# the same reader's mark under yesterday's salt (its own mark again when there is none).
# ARGV: now (ms), the reload window (ms), the hour, the expiry of buckets (s); then per hit its
# article, kind code and source. Returns 1 or 0 per hit: counted or not.
RECORD = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local hour = tonumber(ARGV[3])
local ttl = ARGV[4]
local from24 = tonumber(redis.call('GET', KEYS[3]) or '-1')
local from168 = tonumber(redis.call('GET', KEYS[5]) or '-1')
local counted = {}
local views, others = false, false
for i = 1, (#KEYS - 7) / 2 do
  local mark, previous = KEYS[6 + 2 * i], KEYS[7 + 2 * i]
  local article, kind, source = ARGV[2 + 3 * i], ARGV[3 + 3 * i], ARGV[4 + 3 * i]
  counted[i] = 0
  local carried = 0
  if previous ~= mark then
    carried = tonumber(redis.call('GET', previous) or '0')
  end
  if carried > now then
    redis.call('SET', mark, carried, 'PX', carried - now, 'NX')
  elseif tonumber(redis.call('GET', mark) or '0') <= now then
    redis.call('SET', mark, now + window, 'PX', window)
    counted[i] = 1
    if kind == 'v' then
      views = true
      redis.call('ZINCRBY', KEYS[1], 1, article)
      if hour >= from24 then redis.call('ZINCRBY', KEYS[2], 1, article) end
      if hour >= from168 then redis.call('ZINCRBY', KEYS[4], 1, article) end
      redis.call('HINCRBY', KEYS[6], article .. ':' .. source, 1)
    else
      others = true
      redis.call('HINCRBY', KEYS[7], article .. ':' .. kind, 1)
    end
  end
end
if views then
  redis.call('EXPIRE', KEYS[1], ttl, 'NX')
  redis.call('EXPIRE', KEYS[6], ttl, 'NX')
end
if others then
  redis.call('EXPIRE', KEYS[7], ttl, 'NX')
end
return counted
"""

TOP = """
if redis.call('EXISTS', KEYS[3]) == 0 then
  return {-1}
end
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then
  return {-2}
end
return redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1, 'WITHSCORES')
"""

# Subtract the hours that left the window: member by member when the hour is small beside the
# window, else in one union (linear in both, but in C).
ROLL = """
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then
  return 0
end
for i = 3, #KEYS do
  local leaving = redis.call('ZCARD', KEYS[i])
  if leaving * 8 > redis.call('ZCARD', KEYS[1]) then
    redis.call('ZUNIONSTORE', KEYS[1], 2, KEYS[1], KEYS[i], 'WEIGHTS', 1, -1)
  elseif leaving > 0 then
    local members = redis.call('ZRANGE', KEYS[i], 0, -1, 'WITHSCORES')
    for j = 1, #members, 2 do
      redis.call('ZINCRBY', KEYS[1], -tonumber(members[j + 1]), members[j])
    end
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', 0)
redis.call('SET', KEYS[2], ARGV[2])
return 1
"""

REBUILD = """
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
if #KEYS > 2 then
  redis.call('ZUNIONSTORE', KEYS[1], #KEYS - 2, unpack(KEYS, 3))
end
redis.call('SET', KEYS[2], ARGV[2])
return 1
"""


def _day_code(day: date) -> str:
    return day.strftime("%Y%m%d")


def _epoch_ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class RedisStore(CounterStore):
    name = "redis"

    def __init__(
        self,
        *,
        url: str,
        prefix: str,
        dedupe: timedelta,
        timeout: float = 0.25,
    ):
        self.prefix = prefix
        self.dedupe_ms = int(dedupe.total_seconds() * 1000)
        self.client = redis_client(url, timeout=timeout)
        self._record = self.client.register_script(RECORD)
        self._top = self.client.register_script(TOP)
        self._roll = self.client.register_script(ROLL)
        self._rebuild = self.client.register_script(REBUILD)
        # Reaching Redis: fail fast while it is down, so that a dead Redis costs readers nothing.
        self._guard = guard_for(url)

    def _call(self, function, *args, **kwargs):
        try:
            return self._guard.call(function, *args, **kwargs)
        except RedisUnavailableError as error:
            raise StoreUnavailableError(str(error)) from error

    def _key(self, edition: str, *parts: object) -> str:
        return f"{{{self.prefix}:{edition}}}:" + ":".join(str(part) for part in parts)

    def _window_keys(self, edition: str, hours: int) -> tuple[str, str]:
        name = WINDOWS[hours]
        return self._key(edition, name), self._key(edition, name, "from")

    # Writes

    def _record_calls(self, hits: Sequence[Hit]) -> list[tuple[list, list, list[int]]]:
        """The script calls that count these hits: one per edition and hour, at most
        RECORD_BATCH hits each; with the positions of their hits."""
        groups: dict[tuple[str, int, str], list[int]] = {}
        for position, hit in enumerate(hits):
            day = _day_code(hit.at.astimezone(UTC).date())
            groups.setdefault((hit.edition, hour_index(hit.at), day), []).append(position)
        calls = []
        for (edition, hour, day), positions in groups.items():
            w24, w24_from = self._window_keys(edition, 24)
            w168, w168_from = self._window_keys(edition, 168)
            shared = [
                self._key(edition, "h", hour),
                w24,
                w24_from,
                w168,
                w168_from,
                self._key(edition, "s", day),
                self._key(edition, "x", hour),
            ]
            mark_prefix = self._key(edition, "m")
            for start in range(0, len(positions), RECORD_BATCH):
                chunk = positions[start : start + RECORD_BATCH]
                # The window is measured on the clock of the first hit of the batch.
                now = _epoch_ms(hits[chunk[0]].at)
                keys = list(shared)
                args: list[int | str] = [now, self.dedupe_ms, hour, BUCKET_SECONDS]
                for position in chunk:
                    hit = hits[position]
                    kind = KIND_CODES[hit.kind]
                    mark = f"{mark_prefix}:{kind}:{hit.article_id}:{hit.reader_key}"
                    previous = (
                        f"{mark_prefix}:{kind}:{hit.article_id}:{hit.previous_reader_key}"
                        if hit.previous_reader_key
                        else mark
                    )
                    keys += (mark, previous)
                    args += (hit.article_id, kind, hit.source)
                calls.append((keys, args, chunk))
        return calls

    def record(self, hit: Hit) -> bool:
        ((keys, args, _positions),) = self._record_calls([hit])
        return bool(self._call(self._record, keys=keys, args=args)[0])

    def record_many(self, hits: Sequence[Hit]) -> int:
        calls = self._record_calls(hits)

        scripts = [(self._record, keys, args) for keys, args, _positions in calls]
        return sum(sum(replies) for replies in self._call(run_scripts, self.client, scripts))

    # Windows

    def roll(self, *, edition: str, now: datetime) -> None:
        for hours in WINDOWS:
            self._roll_window(edition=edition, hours=hours, now=now)

    def _roll_window(self, *, edition: str, hours: int, now: datetime) -> None:
        key, from_key = self._window_keys(edition, hours)
        buckets = window_hours(now=now, hours=hours)
        raw = self._call(self.client.get, from_key)
        current = int(raw) if raw is not None else None
        target = buckets.start
        if current == target:
            return
        expected = "" if current is None else str(current)
        if current is not None and 0 < target - current <= REBUILD_AFTER_HOURS:
            leaving = [self._key(edition, "h", hour) for hour in range(current, target)]
            self._call(self._roll, keys=[key, from_key, *leaving], args=[expected, target])
        else:
            inside = [self._key(edition, "h", hour) for hour in buckets]
            self._call(self._rebuild, keys=[key, from_key, *inside], args=[expected, target])

    # Reads

    def ranking(
        self, *, edition: str, hours: int, now: datetime, limit: int
    ) -> list[tuple[int, int]]:
        if hours not in WINDOWS:
            return self._ranking_other(edition=edition, hours=hours, now=now, limit=limit)
        key, from_key = self._window_keys(edition, hours)
        alive = self._key(edition, "alive")
        expected = str(window_hours(now=now, hours=hours).start)
        for _attempt in range(3):
            reply = self._call(self._top, keys=[key, from_key, alive], args=[expected, limit])
            if reply and reply[0] == -1:
                raise StoreIncompleteError(edition)
            if reply and reply[0] == -2:
                self._roll_window(edition=edition, hours=hours, now=now)
                continue
            return [(int(reply[i]), round(float(reply[i + 1]))) for i in range(0, len(reply), 2)]
        raise StoreUnavailableError("the window kept moving while it was read")

    def _ranking_other(
        self, *, edition: str, hours: int, now: datetime, limit: int
    ) -> list[tuple[int, int]]:
        """Another window (the dashboard's "now"): summed from its hours on the spot."""
        buckets = window_hours(now=now, hours=hours)
        temporary = self._key(edition, "t", uuid.uuid4().hex)

        def run():
            pipe = self.client.pipeline(transaction=True)
            pipe.exists(self._key(edition, "alive"))
            pipe.zunionstore(temporary, [self._key(edition, "h", hour) for hour in buckets])
            pipe.zrevrange(temporary, 0, limit - 1, withscores=True)
            pipe.delete(temporary)
            return pipe.execute()

        alive, _size, top, _deleted = self._call(run)
        if not alive:
            raise StoreIncompleteError(edition)
        return [(int(member), round(score)) for member, score in top]

    def hour_counts(self, *, edition: str, hour: int) -> list[HourCounts]:
        def run():
            pipe = self.client.pipeline(transaction=True)
            pipe.zrange(self._key(edition, "h", hour), 0, -1, withscores=True)
            pipe.hgetall(self._key(edition, "x", hour))
            return pipe.execute()

        views, extra = self._call(run)
        return _merge_hour(hour, views, extra)

    def hours_snapshot(
        self, *, edition: str, hours: Iterable[int], days: Iterable[date]
    ) -> tuple[dict[int, list[HourCounts]], list[SourceCount]] | None:
        """Hours and days of an edition read at one instant, or None if the store lost its data
        (the tick then restores before it copies anything)."""
        hours, days = list(hours), list(days)

        def run():
            pipe = self.client.pipeline(transaction=True)
            pipe.exists(self._key(edition, "alive"))
            for hour in hours:
                pipe.zrange(self._key(edition, "h", hour), 0, -1, withscores=True)
                pipe.hgetall(self._key(edition, "x", hour))
            for day in days:
                pipe.hgetall(self._key(edition, "s", _day_code(day)))
            return pipe.execute()

        reply = self._call(run)
        if not reply[0]:
            return None
        counts = {
            hour: _merge_hour(hour, reply[1 + 2 * n], reply[2 + 2 * n])
            for n, hour in enumerate(hours)
        }
        sources = []
        for n, day in enumerate(days):
            sources.extend(_parse_sources(day, reply[1 + 2 * len(hours) + n]))
        return counts, sources

    def day_sources(self, *, edition: str, day: date) -> list[SourceCount]:
        raw = self._call(self.client.hgetall, self._key(edition, "s", _day_code(day)))
        return _parse_sources(day, raw)

    def article_hours(
        self, *, edition: str, article_id: int, hours: Iterable[int]
    ) -> dict[int, HourCounts]:
        hours = list(hours)

        def run():
            pipe = self.client.pipeline(transaction=False)
            for hour in hours:
                pipe.zscore(self._key(edition, "h", hour), article_id)
                pipe.hmget(self._key(edition, "x", hour), f"{article_id}:p", f"{article_id}:s")
            return pipe.execute()

        reply = self._call(run)
        found = {}
        for n, hour in enumerate(hours):
            views, (paywall, subscribe) = reply[2 * n], reply[2 * n + 1]
            if views or paywall or subscribe:
                found[hour] = HourCounts(
                    article_id,
                    hour,
                    round(views or 0),
                    int(paywall or 0),
                    int(subscribe or 0),
                )
        return found

    def article_day_sources(self, *, edition: str, article_id: int, day: date) -> dict[str, int]:
        raw = self._call(self.client.hgetall, self._key(edition, "s", _day_code(day)))
        prefix = f"{article_id}:".encode()
        return {
            field[len(prefix) :].decode(): int(value)
            for field, value in raw.items()
            if field.startswith(prefix)
        }

    # Loss and recovery

    def is_complete(self, *, edition: str) -> bool:
        return bool(self._call(self.client.exists, self._key(edition, "alive")))

    def restore(
        self,
        *,
        edition: str,
        hours: Iterable[HourCounts],
        sources: Iterable[SourceCount],
        now: datetime,
    ) -> bool:
        alive = self._key(edition, "alive")
        now_seconds = int(now.timestamp())

        def run():
            with self.client.pipeline(transaction=True) as pipe:
                pipe.watch(alive)
                if pipe.exists(alive):
                    return False
                pipe.multi()
                for row in hours:
                    # Relative to our clock, as when the hour was first written.
                    ttl = (row.hour + 1) * 3600 + BUCKET_SECONDS - now_seconds
                    if ttl <= 0:
                        continue
                    if row.views:
                        bucket = self._key(edition, "h", row.hour)
                        pipe.zincrby(bucket, row.views, row.article_id)
                        pipe.expire(bucket, ttl)
                    extra = self._key(edition, "x", row.hour)
                    if row.paywall_hits:
                        pipe.hincrby(extra, f"{row.article_id}:p", row.paywall_hits)
                        pipe.expire(extra, ttl)
                    if row.subscriptions:
                        pipe.hincrby(extra, f"{row.article_id}:s", row.subscriptions)
                        pipe.expire(extra, ttl)
                for row in sources:
                    key = self._key(edition, "s", _day_code(row.day))
                    pipe.hincrby(key, f"{row.article_id}:{row.source}", row.views)
                    pipe.expire(key, BUCKET_SECONDS, nx=True)
                # The windows are rebuilt from the hourly sets on their next read or roll.
                for hours_count in WINDOWS:
                    pipe.delete(*self._window_keys(edition, hours_count))
                pipe.set(alive, now_seconds)
                try:
                    pipe.execute()
                except redis.WatchError:
                    return False
                return True

        return self._call(run)

    def clear(self) -> None:
        def run():
            for key in self.client.scan_iter(match=f"{{{self.prefix}:*", count=1000):
                self.client.unlink(key)

        self._call(run)

    def mark_complete(self, *, edition: str, now: datetime) -> None:
        """Say the counters are whole without restoring anything (a brand-new store)."""
        self._call(self.client.set, self._key(edition, "alive"), int(now.timestamp()), nx=True)


def _merge_hour(hour: int, views, extra: dict) -> list[HourCounts]:
    counts: dict[int, list[int]] = {}
    for member, score in views:
        counts.setdefault(int(member), [0, 0, 0])[0] = round(score)
    for field, value in extra.items():
        article, _, code = field.decode().partition(":")
        slot = 1 if code == "p" else 2
        counts.setdefault(int(article), [0, 0, 0])[slot] = int(value)
    return [HourCounts(article, hour, *values) for article, values in sorted(counts.items())]


def _parse_sources(day: date, raw: dict) -> list[SourceCount]:
    rows = []
    for field, value in raw.items():
        article, _, source = field.decode().partition(":")
        if int(value) > 0:
            rows.append(SourceCount(int(article), day, source, int(value)))
    return sorted(rows, key=lambda row: (row.article_id, row.source))
