"""Every claim of the newsletter sender, in one place: conditional updates, no locks held.

- A batch is claimed by switching pending -> sending (or taking over a sending batch whose
  lease ran out) in one UPDATE that names the state it expects; exactly one worker's UPDATE
  matches. The holder renews its lease as it goes and loses the batch if it cannot.
- A message is claimed by switching its delivery pending/deferred -> handed over, again one
  conditional UPDATE, committed before the message's last line reaches the mail server. This
  is what makes "never twice" hold even when two workers believe they hold one batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from .models import Batch, BatchStatus, Delivery, DeliveryStatus


class LeaseLostError(Exception):
    """Another worker took this batch over (our lease ran out); stop working on it."""


def claimable_batches(*, issue_id: int, now: datetime):
    waiting = Q(status=BatchStatus.PENDING) & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    abandoned = Q(status=BatchStatus.SENDING, lease_expires_at__lte=now)
    return Batch.objects.filter(waiting | abandoned, issue_id=issue_id)


def batch_claim_next(*, issue_id: int, now: datetime, lease: timedelta) -> Batch | None:
    """Claim the first batch of this issue nobody is working on; None when there is none."""
    candidates = claimable_batches(issue_id=issue_id, now=now).order_by("number")
    for pk, status, old_token in candidates.values_list("pk", "status", "claim_token")[:50]:
        token = uuid.uuid4().hex
        expected = Q(pk=pk, status=status, claim_token=old_token)
        if status == BatchStatus.SENDING:
            expected &= Q(lease_expires_at__lte=now)
        claimed = Batch.objects.filter(expected).update(
            status=BatchStatus.SENDING,
            claim_token=token,
            lease_expires_at=now + lease,
            not_before=None,
            claims=F("claims") + 1,
            started_at=Coalesce(F("started_at"), now),
        )
        if claimed == 1:
            return Batch.objects.get(pk=pk)
    return None


def batch_renew(*, batch: Batch, now: datetime, lease: timedelta) -> None:
    renewed = Batch.objects.filter(
        pk=batch.pk, status=BatchStatus.SENDING, claim_token=batch.claim_token
    ).update(lease_expires_at=now + lease)
    if renewed != 1:
        raise LeaseLostError(batch.pk)


def batch_release(*, batch: Batch, not_before: datetime | None) -> bool:
    """Give the batch back, until `not_before` when it has deferred messages to retry (None:
    at once, e.g. its worker is stopping)."""
    return (
        Batch.objects.filter(
            pk=batch.pk, status=BatchStatus.SENDING, claim_token=batch.claim_token
        ).update(
            status=BatchStatus.PENDING, claim_token="", lease_expires_at=None, not_before=not_before
        )
        == 1
    )


def batch_finish(*, batch: Batch, now: datetime) -> bool:
    return (
        Batch.objects.filter(
            pk=batch.pk, status=BatchStatus.SENDING, claim_token=batch.claim_token
        ).update(status=BatchStatus.DONE, lease_expires_at=None, finished_at=now)
        == 1
    )


def delivery_hand_over(*, delivery_id: int, now: datetime) -> bool:
    """Claim one message for sending, durably; False if it is no longer ours to send."""
    return (
        Delivery.objects.filter(
            pk=delivery_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.DEFERRED]
        ).update(status=DeliveryStatus.HANDED_OVER, handed_over_at=now, attempts=F("attempts") + 1)
        == 1
    )


def deliveries_hand_over(
    *,
    delivery_ids: list[int],
    now: datetime,
    then: Callable[[set[int]], None] | None = None,
    sent_ids: list[int] | None = None,
) -> set[int]:
    """Claim a group of messages for sending, in one commit; returns the ids claimed (those
    still pending or deferred). Rows are locked in primary-key order, so two workers racing
    for overlapping groups cannot deadlock. `sent_ids`, messages of earlier groups that the
    server accepted, are recorded as sent in the same commit (no round trip of their own).

    `then(claimed)` completes the claimed messages (writes their last line to the mail
    server), as soon after the claim is written as possible: a worker killed in between
    leaves messages recorded as handed over that the server never got. When it runs:

    - On PostgreSQL outside any transaction: after the COMMIT has been written to the server
      and before its answer is read, so no wait on the network (when a busy machine may well
      deschedule the worker) separates the two; the window is the few microseconds between
      two writes. If the server then refuses the COMMIT, HandOverCommitError is raised after
      `then` ran: the messages went out but are not recorded as handed over.
    - On SQLite, or inside a caller's transaction: after this function's atomic block has
      exited. Inside a caller's transaction that block is a savepoint, so the claim is
      certain only once the caller commits.
    """
    sent_ids = [int(pk) for pk in sent_ids or ()]
    if then is not None and connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _hand_over_pipelined(delivery_ids=delivery_ids, now=now, then=then, sent=sent_ids)
    with transaction.atomic():
        if sent_ids:
            deliveries_record_sent(delivery_ids=sent_ids, now=now)
        claimed = list(
            Delivery.objects.select_for_update()
            .filter(
                pk__in=delivery_ids,
                status__in=[DeliveryStatus.PENDING, DeliveryStatus.DEFERRED],
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if claimed:
            Delivery.objects.filter(pk__in=claimed).update(
                status=DeliveryStatus.HANDED_OVER, handed_over_at=now, attempts=F("attempts") + 1
            )
    if then is not None:
        then(set(claimed))
    return set(claimed)


class HandOverCommitError(Exception):
    """PostgreSQL refused the COMMIT of a hand-over after the messages went out."""


def deliveries_record_sent(*, delivery_ids: list[int], now: datetime) -> int:
    """Messages the server accepted: handed over -> sent."""
    return Delivery.objects.filter(pk__in=delivery_ids, status=DeliveryStatus.HANDED_OVER).update(
        status=DeliveryStatus.SENT, finished_at=now, smtp_code=250, error=""
    )


def _hand_over_pipelined(
    *, delivery_ids: list[int], now: datetime, then: Callable[[set[int]], None], sent: list[int]
) -> set[int]:
    from psycopg import sql

    table = sql.Identifier(Delivery._meta.db_table)
    ids = sql.Literal([int(pk) for pk in delivery_ids])
    # One round trip: BEGIN, record the earlier groups' accepted messages, then claim and
    # lock (in primary-key order) in one statement.
    statement = sql.SQL(
        "BEGIN; UPDATE {table} SET status = {sent}, finished_at = {now}, smtp_code = 250, "
        "error = '' WHERE id = ANY({sent_ids}) AND status = {handed}; "
        "UPDATE {table} SET status = {handed}, handed_over_at = {now}, "
        "attempts = attempts + 1 WHERE id IN (SELECT id FROM {table} WHERE id = ANY({ids}) "
        "AND status IN ({pending}, {deferred}) ORDER BY id FOR UPDATE) RETURNING id"
    ).format(
        table=table,
        handed=sql.Literal(DeliveryStatus.HANDED_OVER.value),
        sent=sql.Literal(DeliveryStatus.SENT.value),
        sent_ids=sql.Literal(sent) if sent else sql.SQL("ARRAY[]::integer[]"),
        now=sql.Literal(now),
        ids=ids,
        pending=sql.Literal(DeliveryStatus.PENDING.value),
        deferred=sql.Literal(DeliveryStatus.DEFERRED.value),
    )
    connection.ensure_connection()
    raw = connection.connection  # psycopg, in autocommit mode outside atomic blocks
    with raw.cursor() as cursor:
        try:
            cursor.execute(statement)
            cursor.nextset()  # past BEGIN's empty result and the sent messages' UPDATE
            cursor.nextset()  # to the claim's
            claimed = [row[0] for row in cursor.fetchall()]
        except BaseException:
            raw.pgconn.exec_(b"ROLLBACK")
            raise
    pgconn = raw.pgconn
    pgconn.send_query(b"COMMIT")  # written to the server now; its answer is read below
    try:
        then(set(claimed))
    finally:
        status = _commit_result(pgconn)
    if status != "ok":
        raise HandOverCommitError(status)
    return set(claimed)


def _commit_result(pgconn) -> str:
    import select

    from psycopg import pq

    status = "no answer"
    while True:
        pgconn.consume_input()
        while not pgconn.is_busy():
            result = pgconn.get_result()
            if result is None:
                return status
            status = (
                "ok"
                if result.status == pq.ExecStatus.COMMAND_OK
                else (result.error_message or b"").decode(errors="replace")
            )
        select.select([pgconn.socket], [], [], 30)


def batch_reconcile(*, batch: Batch, now: datetime) -> int:
    """Messages a previous holder of this batch handed over without recording the answer:
    the server may have them, so they are never sent again; they count as unconfirmed."""
    return Delivery.objects.filter(batch=batch, status=DeliveryStatus.HANDED_OVER).update(
        status=DeliveryStatus.UNCONFIRMED,
        finished_at=now,
        error="worker stopped after hand-over; not resent",
    )
