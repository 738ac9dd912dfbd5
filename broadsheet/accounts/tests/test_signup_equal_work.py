"""Signup does the same work whether the address is new or already has an account, so that
its speed does not tell: one password hash and one email task in each case (the "account
already exists" email goes through the same task as a new account's verification)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.utils import timezone
from django_tasks.signals import task_enqueued

from broadsheet.accounts.tasks import email_send

from .helpers import PASSWORD, browser, reader_create

User = get_user_model()


class CountingHasher(MD5PasswordHasher):
    """The test suite's hasher, counting the passwords it hashes."""

    encoded = 0

    def encode(self, password, salt):
        CountingHasher.encoded += 1
        return super().encode(password, salt)


@pytest.fixture
def work(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    emails = []

    def enqueued(sender, task_result, **kwargs):
        if task_result.task.func is email_send.func:
            emails.append(task_result.kwargs["to"])

    task_enqueued.connect(enqueued)
    try:

        def done(post):
            CountingHasher.encoded = 0
            emails.clear()
            response = post()
            return response, CountingHasher.encoded, list(emails)

        yield done
    finally:
        task_enqueued.disconnect(enqueued)


def _signup(client, address):
    return client.post(
        "/en-us/accounts/signup/",
        {"email": address, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_a_taken_address_costs_what_a_new_one_does(en_edition, work):
    reader_create(email_address="taken@example.com")
    client = browser()

    new, new_hashes, new_emails = work(lambda: _signup(client, "new@example.com"))
    taken, taken_hashes, taken_emails = work(lambda: _signup(browser(), "taken@example.com"))

    assert new.status_code == taken.status_code == 302
    assert new["Location"] == taken["Location"]
    assert new_hashes == taken_hashes == 1
    assert new_emails == [["new@example.com"]]
    assert taken_emails == [["taken@example.com"]]
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


def test_a_taken_address_gets_one_email_every_three_minutes_at_most(en_edition, work):
    # allauth's confirm_email limit (1/3m/key), as docs/accounts.md says.
    reader_create(email_address="taken@example.com")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        work(lambda: _signup(browser(), "taken@example.com"))
    with time_machine.travel(start + timedelta(minutes=2, seconds=59), tick=False):
        again, hashes, emails = work(lambda: _signup(browser(), "taken@example.com"))
    assert again.status_code == 302
    assert hashes == 1
    assert emails == []
    with time_machine.travel(start + timedelta(minutes=3, seconds=1), tick=False):
        _later, _hashes, emails = work(lambda: _signup(browser(), "taken@example.com"))
    assert emails == [["taken@example.com"]]
