"""Every sign-in, password reset and code form of the site keeps allauth's limits
(ACCOUNT_RATE_LIMITS) and the email verification rule: allauth's own forms, the Wagtail
admin's sign-in and password reset, and Wagtail's front-end login (page privacy), which all
pass through accounts.backends.SignInGateBackend; and Wagtail's password forms of private
pages and documents (accounts/throttle.py)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from .helpers import PASSWORD, browser, reader_create

User = get_user_model()
FRONT_END_LOGIN = "/en-us/_util/login/"


def _signed_in(client) -> bool:
    return client.get("/en-us/accounts/").status_code == 200


def _admin_signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def _editor(username: str = "editor"):
    call_command("demo_editor", "--username", username, "--password", PASSWORD, verbosity=0)
    return User.objects.get(username=username)


def test_the_front_end_login_refuses_the_right_password_after_many_wrong_ones(editions):
    _editor()
    client = browser()
    for _attempt in range(30):
        wrong = client.post(FRONT_END_LOGIN, {"username": "editor", "password": "guess"})
        assert wrong.status_code == 200
    refused = client.post(FRONT_END_LOGIN, {"username": "editor", "password": PASSWORD})
    assert refused.status_code in (200, 429)
    assert not _admin_signed_in(client)
    # Another browser (another address) is not locked out of its own account by it.
    other = browser(REMOTE_ADDR="198.51.100.20")
    _editor("deputy")
    ok = other.post(FRONT_END_LOGIN, {"username": "deputy", "password": PASSWORD})
    assert ok.status_code == 302
    assert _admin_signed_in(other)


def test_the_admin_login_refuses_the_right_password_after_many_wrong_ones(editions):
    _editor()
    client = browser()
    for _attempt in range(30):
        wrong = client.post("/admin/login/", {"username": "editor", "password": "guess"})
        assert wrong.status_code == 200
    refused = client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
    assert refused.status_code in (200, 429)
    assert not _admin_signed_in(client)


def test_the_admin_login_lets_staff_in_when_nothing_is_wrong(editions):
    # demo_editor (like createsuperuser) makes staff without a verified address.
    editor = _editor()
    assert not EmailAddress.objects.filter(user=editor, verified=True).exists()
    client = browser()
    ok = client.post("/admin/login/", {"username": "editor", "password": PASSWORD})
    assert ok.status_code == 302
    assert _admin_signed_in(client)


def test_createsuperuser_staff_can_sign_in_to_the_admin(editions):
    User.objects.create_superuser("chief", "chief@example.com", PASSWORD)
    client = browser()
    ok = client.post("/admin/login/", {"username": "chief", "password": PASSWORD})
    assert ok.status_code == 302
    assert _admin_signed_in(client)


def test_all_the_doors_share_one_budget_of_failed_sign_ins(en_edition):
    reader = reader_create()
    client = browser()
    for _attempt in range(5):  # login_failed: 5 per 5 minutes per address
        client.post("/en-us/accounts/login/", {"login": reader.email, "password": "guess"})
    # The front-end login is no way round allauth's limit on that address.
    refused = client.post(FRONT_END_LOGIN, {"username": reader.email, "password": PASSWORD})
    assert refused.status_code in (200, 429)
    assert not _signed_in(client)


def test_an_unverified_reader_is_refused_at_the_front_end_login(en_edition):
    unverified = User.objects.create_user(
        "reader-unverified", email="unverified@example.com", password=PASSWORD
    )
    EmailAddress.objects.create(
        user=unverified, email=unverified.email, verified=False, primary=True
    )
    client = browser()
    for username in (unverified.email, unverified.username):
        refused = client.post(FRONT_END_LOGIN, {"username": username, "password": PASSWORD})
        assert refused.status_code == 200
        assert not _signed_in(client)
    # Nor at the admin's.
    refused = client.post("/admin/login/", {"username": unverified.email, "password": PASSWORD})
    assert not _signed_in(client)
    # Once verified, the same door lets them in.
    EmailAddress.objects.filter(user=unverified).update(verified=True)
    ok = client.post(FRONT_END_LOGIN, {"username": unverified.email, "password": PASSWORD})
    assert ok.status_code == 302
    assert _signed_in(client)


def test_an_unverified_reader_signing_in_through_allauth_is_asked_to_verify(en_edition):
    unverified = User.objects.create_user(
        "reader-unverified", email="unverified@example.com", password=PASSWORD
    )
    EmailAddress.objects.create(
        user=unverified, email=unverified.email, verified=False, primary=True
    )
    client = browser()
    response = client.post(
        "/en-us/accounts/login/", {"login": unverified.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "/confirm-email/" in response["Location"]
    assert not _signed_in(client)


def test_the_admin_password_reset_is_limited(editions):
    editor = _editor()
    client = browser()
    statuses = [
        client.post("/admin/password_reset/", {"email": editor.email}).status_code
        for _ in range(12)
    ]
    # reset_password: 3 a minute per address, as allauth's reset form.
    assert len(mail.outbox) == 3
    assert statuses[:3] == [302] * 3
    refused = client.post("/admin/password_reset/", {"email": editor.email})
    assert refused.status_code == 200
    assert b"Too many requests" in refused.content


# Wagtail's password forms of private pages and collections check a shared password, not an
# account: they keep the sign-in limits too (accounts/throttle.py).
PAGE_PASSWORD = "minutes of the board"


def _private_article(en_world):
    from wagtail.models import PageViewRestriction

    from broadsheet.newsroom.tests import factories

    article = factories.article_publish(section=en_world, title="Board minutes")
    restriction = PageViewRestriction.objects.create(
        page=article, restriction_type=PageViewRestriction.PASSWORD, password=PAGE_PASSWORD
    )
    form = f"/en-us/_util/authenticate_with_password/{restriction.pk}/{article.pk}/"
    return article, form


def _private_document():
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document
    from wagtail.models import Collection, CollectionViewRestriction

    collection = Collection.get_first_root_node().add_child(name="Board papers")
    document = Document.objects.create(
        title="Minutes", collection=collection, file=ContentFile(b"minutes", name="minutes.txt")
    )
    restriction = CollectionViewRestriction.objects.create(
        collection=collection,
        restriction_type=CollectionViewRestriction.PASSWORD,
        password=PAGE_PASSWORD,
    )
    return document, f"/documents/authenticate_with_password/{restriction.pk}/"


def test_a_page_password_form_refuses_the_right_password_after_many_wrong_ones(en_world):
    article, form = _private_article(en_world)
    client = browser()
    assert client.get(article.url).status_code == 200  # the password form, not the article
    assert b"Board minutes" not in client.get(article.url).content
    answers = [
        client.post(form, {"password": "guess", "return_url": article.url}).status_code
        for _attempt in range(6)
    ]
    # login_failed: 5 per 5 minutes per key (here the restriction); then nothing is checked.
    assert answers == [200] * 5 + [429]
    refused = client.post(form, {"password": PAGE_PASSWORD, "return_url": article.url})
    assert refused.status_code == 429
    assert b"Board minutes" not in client.get(article.url).content
    # Another reader, from another address, is refused too: the budget is the restriction's.
    other = browser(REMOTE_ADDR="198.51.100.20")
    assert other.post(form, {"password": PAGE_PASSWORD, "return_url": "/"}).status_code == 429


def test_a_right_page_password_gives_its_attempt_back(en_world):
    article, form = _private_article(en_world)
    client = browser()
    for _attempt in range(4):
        client.post(form, {"password": "guess", "return_url": article.url})
    for _reader in range(3):  # right answers do not use up the four failures' budget
        ok = browser().post(form, {"password": PAGE_PASSWORD, "return_url": article.url})
        assert ok.status_code == 302
    assert client.post(form, {"password": "guess", "return_url": "/"}).status_code == 200
    assert client.post(form, {"password": "guess", "return_url": "/"}).status_code == 429


def test_a_page_password_form_shares_the_sign_in_budget_of_the_address(en_world):
    article, form = _private_article(en_world)
    reader = reader_create()
    client = browser()
    for _attempt in range(10):  # login_failed: 10 a minute per address, at any door
        client.post(FRONT_END_LOGIN, {"username": reader.email, "password": "guess"})
    refused = client.post(form, {"password": PAGE_PASSWORD, "return_url": article.url})
    assert refused.status_code == 429
    assert b"Too many attempts" in refused.content


def test_a_document_password_form_refuses_the_right_password_after_many_wrong_ones(editions):
    document, form = _private_document()
    client = browser()
    answers = [
        client.post(form, {"password": "guess", "return_url": document.url}).status_code
        for _attempt in range(6)
    ]
    assert answers == [200] * 5 + [429]
    refused = client.post(form, {"password": PAGE_PASSWORD, "return_url": document.url})
    assert refused.status_code == 429
    ok = browser()
    # Before the limit, the right password opens the collection.
    _reset_limits()
    assert ok.post(form, {"password": PAGE_PASSWORD, "return_url": "/"}).status_code == 302
    assert ok.get(document.url).status_code == 200


def _reset_limits() -> None:
    from django.core.cache import cache

    cache.clear()  # allauth's limits live in the default cache
