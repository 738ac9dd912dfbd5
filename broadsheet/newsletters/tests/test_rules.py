"""The rules as plain functions: addresses, digest composition, schedules, tokens."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broadsheet.newsletters import rules, tokens


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [("  Reader@Example.COM ", "reader@example.com"), ("a@b.co", "a@b.co")],
)
def test_addresses_are_trimmed_and_lowered(raw, normalised):
    assert rules.email_normalise(raw) == normalised


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("", "Enter your email address."),
        ("not-an-address", "Enter a valid email address"),
        ("two@@example.com", "Enter a valid email address"),
        ("someone@localhost", "Enter a valid email address"),
        ("someone@example.invalid", "cannot receive email"),
        ("bot@mailinator.com", "Disposable inboxes"),
        ("bot@eu.yopmail.com", "Disposable inboxes"),
        ("a" * 250 + "@example.com", "too long"),
    ],
)
def test_bad_addresses_get_a_clear_reason(email, problem):
    assert problem in rules.email_problem(email)


@pytest.mark.parametrize("email", ["reader@example.com", "n.o+tag@sub.example.org"])
def test_good_addresses_pass(email):
    assert rules.email_problem(email) is None


def test_operators_can_add_disposable_domains():
    assert rules.email_problem("x@burner.test", extra_disposable=["burner.test"])


ids = st.lists(st.integers(min_value=1, max_value=40), max_size=25)


@given(most_read=ids, picks=ids, limit=st.integers(min_value=0, max_value=20))
def test_digest_choice_properties(most_read, picks, limit):
    chosen = rules.digest_choose(most_read=most_read, picks=picks, limit=limit)
    articles = [a for a, _source in chosen]
    everything = set(most_read) | set(picks)
    # Never a duplicate, never over the limit, and as full as the two lists allow.
    assert len(articles) == len(set(articles))
    assert len(articles) == min(max(limit, 0), len(everything))
    assert set(articles) <= everything
    # The most read come first, in their order; then the picks, in the editors' order.
    sources = [source for _a, source in chosen]
    assert sources == sorted(sources, key=lambda s: s != "most_read")
    most = [a for a, s in chosen if s == "most_read"]
    assert most == [a for a in dict.fromkeys(most_read) if a not in set(picks)][: len(most)]
    pick_list = [a for a, s in chosen if s == "pick"]
    assert pick_list == list(dict.fromkeys(picks))[: len(pick_list)]
    # Editors' picks always get up to half of the places.
    assert len(pick_list) >= min(len(set(picks)), (limit + 1) // 2)


@pytest.mark.parametrize(
    ("most_read", "picks", "limit", "expected"),
    [
        ([1, 2, 3], [], 2, [(1, "most_read"), (2, "most_read")]),
        ([], [7, 8], 5, [(7, "pick"), (8, "pick")]),
        ([1, 2, 3, 4], [9], 3, [(1, "most_read"), (2, "most_read"), (9, "pick")]),
        ([1, 9, 2], [9, 10], 4, [(1, "most_read"), (2, "most_read"), (9, "pick"), (10, "pick")]),
        ([1], [5, 6, 7, 8], 4, [(1, "most_read"), (5, "pick"), (6, "pick"), (7, "pick")]),
    ],
)
def test_digest_choice_examples(most_read, picks, limit, expected):
    assert rules.digest_choose(most_read=most_read, picks=picks, limit=limit) == expected


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC)  # 1 June 2026 is a Monday


@pytest.mark.parametrize(
    ("weekday", "after", "expected"),
    [
        (0, at(1, 6), at(1, 7)),  # Monday before the hour: today
        (0, at(1, 7), at(8, 7)),  # exactly at the hour: next week
        (0, at(2, 12), at(8, 7)),  # Tuesday: next Monday
        (4, at(1, 8), at(5, 7)),  # Friday's slot from Monday
        (None, at(1, 8), at(2, 7)),  # daily: tomorrow
        (None, at(1, 6, 59), at(1, 7)),
    ],
)
def test_next_slot(weekday, after, expected):
    assert rules.next_slot(weekday=weekday, at=time(7, 0), after=after) == expected


def test_a_weekly_slot_covers_the_week_before_it():
    assert rules.slot_period(slot=at(8, 7), weekday=0) == (at(1, 7), at(8, 7))


def test_retry_delay_doubles():
    delays = [rules.retry_delay(attempts=n, base_seconds=60) for n in (1, 2, 3)]
    assert delays == [timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]


def test_tokens_round_trip_and_refuse_tampering():
    token = tokens.manage_token_make(subscriber_id=42)
    assert tokens.manage_token_read(token) == 42
    with pytest.raises(tokens.BadTokenError):
        tokens.manage_token_read(token[:-1] + ("A" if token[-1] != "A" else "B"))
    # A token of one kind is not valid as another.
    with pytest.raises(tokens.BadTokenError):
        tokens.confirm_token_read(token)
    claim = tokens.unsubscribe_token_read(
        tokens.unsubscribe_token_make(subscriber_id=3, newsletter_id=4, issue_id=None)
    )
    assert (claim.subscriber_id, claim.newsletter_id, claim.issue_id) == (3, 4, None)


def test_confirmation_tokens_expire(settings, time_machine):
    settings.NEWSLETTERS_CONFIRM_DAYS = 7
    time_machine.move_to(datetime(2026, 1, 1, tzinfo=UTC), tick=False)
    token = tokens.confirm_token_make(subscriber_id=5)
    time_machine.move_to(datetime(2026, 1, 7, tzinfo=UTC), tick=False)
    assert tokens.confirm_token_read(token) == 5
    time_machine.move_to(datetime(2026, 1, 9, tzinfo=UTC), tick=False)
    with pytest.raises(tokens.BadTokenError):
        tokens.confirm_token_read(token)


def test_message_ids_are_deterministic_per_recipient_and_issue():
    first = tokens.message_id_make(issue_id=1, subscriber_id=2, domain="news.example.com")
    assert first == tokens.message_id_make(issue_id=1, subscriber_id=2, domain="news.example.com")
    assert first != tokens.message_id_make(issue_id=1, subscriber_id=3, domain="news.example.com")
    assert first != tokens.message_id_make(issue_id=2, subscriber_id=2, domain="news.example.com")
    assert first.startswith("<nl1.2.") and first.endswith("@news.example.com>")
