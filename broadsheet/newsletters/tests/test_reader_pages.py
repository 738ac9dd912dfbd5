"""What a reader does on the site: sign up, confirm, manage, unsubscribe, read the archive."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from broadsheet.newsletters import services, tokens
from broadsheet.newsletters.models import (
    IssueStatus,
    Subscriber,
    Subscription,
    SubscriptionStatus,
    SuppressionReason,
)

from .conftest import issue_create, newsletter_create, subscribers_confirm

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/[^\s\"<>]+)")


def signup(client, digest, email="reader@example.com", language="en-us", **extra):
    headers = {k: extra.pop(k) for k in list(extra) if k.startswith("HTTP_")}
    data = {"email": email, "newsletters": [digest.pk], "source": "article", **extra}
    return client.post(f"/{language}/newsletters/signup/", data, **headers)


def confirmation_path(message) -> str:
    return next(path for path in LINK.findall(message.body) if "/confirm/" in path)


class TestSignup:
    def test_signup_sends_one_confirmation_and_subscribes_nothing_yet(
        self, client, en_digest, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = signup(client, en_digest, email="  Reader@Example.com ")
        assert response.status_code == 200
        assert "Check your inbox" in response.content.decode()
        subscription = Subscription.objects.get()
        assert subscription.subscriber.email == "reader@example.com"
        assert subscription.status == SubscriptionStatus.PENDING
        assert subscription.source == "article"
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["reader@example.com"]
        assert message.subject == "Confirm your newsletter subscription"
        assert confirmation_path(message).startswith("/en-us/newsletters/confirm/")
        html = message.alternatives[0][0]
        assert "The Weekly Digest" in html and "/en-us/newsletters/confirm/" in html

    def test_the_spanish_edition_confirms_in_spanish_pages(
        self, client, es_digest, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = signup(client, es_digest, language="es-es")
        assert response.status_code == 200
        assert response["Content-Language"] == "es-es"
        message = mail.outbox[0]
        assert message.extra_headers["Content-Language"] == "es-es"
        assert confirmation_path(message).startswith("/es-es/newsletters/confirm/")
        assert Subscriber.objects.get().language == "es-es"

    def test_javascript_gets_json(self, client, en_digest, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = signup(client, en_digest, HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert response.json()["ok"] is True
        bad = signup(client, en_digest, email="nope", HTTP_ACCEPT="application/json")
        assert bad.status_code == 400
        assert bad.json()["errors"]["email"] == [
            "Enter a valid email address, like name@example.com."
        ]

    @pytest.mark.parametrize(
        ("email", "message"),
        [
            ("", "Enter your email address."),
            ("reader-at-example.com", "Enter a valid email address"),
            ("x@mailinator.com", "Disposable inboxes"),
            ("x" * 400 + "@example.com", "too long"),
        ],
    )
    def test_bad_addresses_get_a_clear_message_and_nothing_is_stored(
        self, client, en_digest, email, message
    ):
        response = signup(client, en_digest, email=email)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Subscriber.objects.exists()
        assert not mail.outbox

    def test_a_newsletter_of_another_edition_is_refused(self, client, en_digest, es_digest):
        response = signup(client, es_digest, language="en-us")
        assert response.status_code == 400
        assert "not offered in this edition" in response.content.decode()

    def test_no_newsletter_chosen(self, client, en_digest):
        response = client.post("/en-us/newsletters/signup/", {"email": "a@example.com"})
        assert response.status_code == 400
        assert "Choose at least one newsletter." in response.content.decode()

    def test_the_honeypot_answers_like_a_person_and_does_nothing(
        self, client, en_digest, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = signup(client, en_digest, website="http://spam.example.com")
        assert response.status_code == 200
        assert "Check your inbox" in response.content.decode()
        assert not Subscriber.objects.exists()
        assert not mail.outbox

    def test_no_enumeration_a_subscribed_address_gets_the_same_answer(
        self, client, en_digest, django_capture_on_commit_callbacks
    ):
        (existing,) = subscribers_confirm(newsletter=en_digest, count=1)
        with django_capture_on_commit_callbacks(execute=True):
            known = signup(client, en_digest, email=existing.email)
            unknown = signup(client, en_digest, email="new@example.com")
        assert known.status_code == unknown.status_code == 200
        assert known.content.replace(existing.email.encode(), b"X") == unknown.content.replace(
            b"new@example.com", b"X"
        )
        # Only the new address is mailed; the subscribed one stays subscribed.
        assert [m.to for m in mail.outbox] == [["new@example.com"]]
        assert Subscription.objects.get(subscriber=existing).status == "confirmed"

    def test_a_suppressed_address_gets_the_same_answer_and_no_mail(
        self, client, en_digest, django_capture_on_commit_callbacks
    ):
        Subscriber.objects.create(
            email="gone@example.com",
            language="en-us",
            suppressed_at=timezone.now(),
            suppression_reason=SuppressionReason.HARD_BOUNCE,
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = signup(client, en_digest, email="gone@example.com")
        assert response.status_code == 200
        assert not mail.outbox

    def test_rate_limited_per_address(self, client, en_digest, settings):
        settings.ACCOUNT_RATE_LIMITS = {
            **settings.ACCOUNT_RATE_LIMITS,
            "newsletter_signup_address": "2/h/key",
        }
        assert signup(client, en_digest).status_code == 200
        assert signup(client, en_digest).status_code == 200
        response = signup(client, en_digest)
        assert response.status_code == 429
        assert "Too many signups for this address" in response.content.decode()
        assert signup(client, en_digest, email="other@example.com").status_code == 200

    def test_rate_limited_per_ip(self, client, en_digest, settings):
        settings.ACCOUNT_RATE_LIMITS = {
            **settings.ACCOUNT_RATE_LIMITS,
            "newsletter_signup": "3/h/ip",
        }
        for n in range(3):
            assert signup(client, en_digest, email=f"r{n}@example.com").status_code == 200
        response = signup(client, en_digest, email="r9@example.com")
        assert response.status_code == 429
        other_ip = Client(REMOTE_ADDR="10.1.2.3")
        assert signup(other_ip, en_digest, email="r9@example.com").status_code == 200

    def test_behind_a_trusted_proxy_each_reader_has_their_own_allowance(self, en_digest, settings):
        # Varnish in front: every request comes from its address, the reader's is in
        # X-Forwarded-For.
        settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
        settings.ACCOUNT_RATE_LIMITS = {
            **settings.ACCOUNT_RATE_LIMITS,
            "newsletter_signup": "2/h/ip",
        }
        proxy = Client(REMOTE_ADDR="10.0.0.2")
        one = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
        other = {"HTTP_X_FORWARDED_FOR": "198.51.100.8"}
        assert signup(proxy, en_digest, email="a1@example.com", **one).status_code == 200
        assert signup(proxy, en_digest, email="a2@example.com", **one).status_code == 200
        assert signup(proxy, en_digest, email="a3@example.com", **one).status_code == 429
        assert signup(proxy, en_digest, email="b1@example.com", **other).status_code == 200
        assert signup(proxy, en_digest, email="b2@example.com", **other).status_code == 200

    def test_get_on_the_endpoint_goes_to_the_newsletters_page(self, client, en_digest):
        response = client.get("/en-us/newsletters/signup/")
        assert response.status_code == 302
        assert response["Location"] == "/en-us/newsletters/"

    def test_signup_needs_no_csrf_token(self, en_digest):
        # The box is in pages shared from the cache: it cannot carry a per-reader token.
        client = Client(enforce_csrf_checks=True)
        assert signup(client, en_digest).status_code == 200


class TestConfirm:
    def _pending(self, client, digest, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            signup(client, digest)
        return confirmation_path(mail.outbox[-1])

    def test_get_confirms_nothing_post_confirms(
        self, client, en_digest, django_capture_on_commit_callbacks
    ):
        path = self._pending(client, en_digest, django_capture_on_commit_callbacks)
        page = client.get(path)
        assert page.status_code == 200
        assert "Confirm my subscription" in page.content.decode()
        assert "no-store" in page["Cache-Control"]
        assert Subscription.objects.get().status == SubscriptionStatus.PENDING
        done = client.post(path)
        assert done.status_code == 200
        assert "You are subscribed" in done.content.decode()
        subscription = Subscription.objects.get()
        assert subscription.status == SubscriptionStatus.CONFIRMED
        assert subscription.confirmed_at is not None

    def test_confirm_post_keeps_csrf(self, en_digest, django_capture_on_commit_callbacks):
        client = Client(enforce_csrf_checks=True)
        path = self._pending(client, en_digest, django_capture_on_commit_callbacks)
        assert client.post(path).status_code == 403
        page = client.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        assert client.post(path, {"csrfmiddlewaretoken": token.group(1)}).status_code == 200
        assert Subscription.objects.get().status == SubscriptionStatus.CONFIRMED

    def test_a_tampered_link_is_a_clear_400(self, client, en_digest):
        response = client.post("/en-us/newsletters/confirm/12:abc:def/")
        assert response.status_code == 400
        assert "not valid or has expired" in response.content.decode()


class TestPreferencesAndUnsubscribe:
    def test_preferences_change_and_unsubscribe_all(self, client, en_digest, en_edition):
        briefing = newsletter_create(
            edition=en_edition, name="Morning Briefing", slug="briefing", kind="briefing"
        )
        (subscriber,) = subscribers_confirm(newsletter=en_digest, count=1)
        token = tokens.manage_token_make(subscriber_id=subscriber.pk)
        path = f"/en-us/newsletters/preferences/{token}/"
        page = client.get(path)
        assert page.status_code == 200
        html = page.content.decode()
        assert subscriber.email in html and "Morning Briefing" in html
        response = client.post(path, {"newsletters": [briefing.pk]})
        assert response.status_code == 302
        states = dict(subscriber.subscriptions.values_list("newsletter__slug", "status"))
        assert states == {"weekly": "unsubscribed", "briefing": "confirmed"}
        assert "Your choices are saved" in client.get(response["Location"]).content.decode()
        client.post(path, {"unsubscribe_all": "1"})
        assert set(subscriber.subscriptions.values_list("status", flat=True)) == {"unsubscribed"}

    def test_preferences_refuse_unknown_choices(self, client, en_digest):
        (subscriber,) = subscribers_confirm(newsletter=en_digest, count=1)
        token = tokens.manage_token_make(subscriber_id=subscriber.pk)
        path = f"/en-us/newsletters/preferences/{token}/"
        assert client.post(path, {"newsletters": ["999999"]}).status_code == 400
        assert client.post(path, {"newsletters": ["x"]}).status_code == 400

    def test_a_bad_preferences_link_is_a_clear_400(self, client, en_digest):
        response = client.get("/en-us/newsletters/preferences/1:forged/")
        assert response.status_code == 400

    def test_one_click_post_unsubscribes_without_session_or_csrf(self, en_digest, en_articles):
        (subscriber,) = subscribers_confirm(newsletter=en_digest, count=1)
        issue = issue_create(newsletter=en_digest, articles=en_articles)
        token = tokens.unsubscribe_token_make(
            subscriber_id=subscriber.pk, newsletter_id=en_digest.pk, issue_id=issue.pk
        )
        client = Client(enforce_csrf_checks=True)
        path = f"/en-us/newsletters/unsubscribe/{token}/"
        response = client.post(path, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        subscription = Subscription.objects.get(subscriber=subscriber)
        assert subscription.status == SubscriptionStatus.UNSUBSCRIBED
        assert subscription.unsubscribed_issue == issue
        assert not client.cookies  # no session, no CSRF cookie
        # Again: still fine, still unsubscribed.
        assert client.post(path).status_code == 200

    def test_get_on_the_unsubscribe_link_unsubscribes_nothing(self, client, en_digest):
        (subscriber,) = subscribers_confirm(newsletter=en_digest, count=1)
        token = tokens.unsubscribe_token_make(
            subscriber_id=subscriber.pk, newsletter_id=en_digest.pk, issue_id=None
        )
        page = client.get(f"/en-us/newsletters/unsubscribe/{token}/")
        assert page.status_code == 200
        assert "Stop receiving The Weekly Digest?" in page.content.decode()
        head = client.head(f"/en-us/newsletters/unsubscribe/{token}/")
        assert head.status_code == 200
        assert Subscription.objects.get().status == SubscriptionStatus.CONFIRMED

    def test_a_forged_unsubscribe_link_changes_nothing(self, client, en_digest):
        (subscriber,) = subscribers_confirm(newsletter=en_digest, count=1)
        response = client.post(
            f"/en-us/newsletters/unsubscribe/{subscriber.pk}.{en_digest.pk}.0:x/"
        )
        assert response.status_code == 400
        assert Subscription.objects.get().status == SubscriptionStatus.CONFIRMED


class TestPages:
    def test_newsletters_page_lists_the_edition_newsletters(self, client, en_digest, es_digest):
        page = client.get("/en-us/newsletters/")
        html = page.content.decode()
        assert page.status_code == 200
        assert "The Weekly Digest" in html and "El Semanal" not in html
        assert 'action="/en-us/newsletters/signup/"' in html
        assert "csrfmiddlewaretoken" not in html
        assert "El Semanal" in client.get("/es-es/newsletters/").content.decode()

    def test_archive_shows_sent_issues_only(self, client, en_digest, en_articles):
        sent = issue_create(newsletter=en_digest, articles=en_articles, subject="Sent one")
        draft = issue_create(newsletter=en_digest, articles=en_articles, subject="Draft one")
        type(sent).objects.filter(pk=sent.pk).update(
            status=IssueStatus.SENT, send_started_at=timezone.now()
        )
        page = client.get("/en-us/newsletters/weekly/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "Sent one" in html and "Draft one" not in html
        detail = client.get(f"/en-us/newsletters/weekly/{sent.pk}/")
        assert detail.status_code == 200
        assert "English story 0" in detail.content.decode()
        assert client.get(f"/en-us/newsletters/weekly/{draft.pk}/").status_code == 404
        assert client.get("/en-us/newsletters/nope/").status_code == 404
        # A newsletter is found only in its own edition.
        assert client.get("/es-es/newsletters/weekly/").status_code == 404

    def test_article_pages_carry_a_shareable_signup_box(self, client, en_digest, en_articles):
        url = en_articles[0].url
        first = client.get(url)
        html = first.content.decode()
        assert 'action="/en-us/newsletters/signup/"' in html
        assert f'name="newsletters" value="{en_digest.pk}"' in html
        assert "csrfmiddlewaretoken" not in html
        assert not first.cookies
        assert first["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"

    def test_spanish_article_pages_offer_the_spanish_newsletter(
        self, client, es_digest, es_articles
    ):
        html = client.get(es_articles[0].url).content.decode()
        assert 'action="/es-es/newsletters/signup/"' in html
        assert f'value="{es_digest.pk}"' in html

    def test_no_box_when_the_edition_has_no_newsletter(self, client, en_articles):
        html = client.get(en_articles[0].url).content.decode()
        assert "newsletters/signup" not in html


def test_signup_links_a_signed_in_reader(en_digest, django_user_model):
    user = django_user_model.objects.create_user(
        username="reader", email="reader@example.com", password="x" * 12
    )
    services.subscriber_signup(
        email="reader@example.com",
        newsletters=[en_digest],
        language="en-us",
        source="account",
        now=timezone.now(),
        user=user,
    )
    assert Subscriber.objects.get().user == user
