"""Fixtures of the API tests: an app (a test client that speaks the API), subscribers who can
sign in from it, and the stores of the access tests."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from broadsheet.access.tests.conftest import (  # noqa: F401  (fixtures)
    SECRET,
    gated,
    metered_article,
    store,
    subscriber_create,
)
from broadsheet.accounts.tests.helpers import PASSWORD, CommittingClient

APP_USER_AGENT = "BroadsheetApp/3.2 (iPhone; iOS 18.1)"


class App:
    """The newsroom's app on one phone: a client without cookies that sends its token."""

    def __init__(self, *, token: str = "", installation: str = "", edition: str = "en-us"):
        self.client = CommittingClient(HTTP_USER_AGENT=APP_USER_AGENT)
        self.token = token
        self.installation = installation
        self.edition = edition

    def headers(self) -> dict:
        headers = {}
        if self.token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        if self.installation:
            headers["HTTP_BROADSHEET_INSTALLATION"] = self.installation
        return headers

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1/{self.edition}/{path}", params, **self.headers())

    def post(self, path: str, data: dict | None = None):
        return self.client.post(
            f"/api/v1/{self.edition}/{path}",
            data or {},
            content_type="application/json",
            **self.headers(),
        )

    def sign_in(self, email: str, password: str = PASSWORD, platform: str = "iphone"):
        response = self.post(
            "me/sign-in/", {"email": email, "password": password, "platform": platform}
        )
        if response.status_code == 201:
            self.token = response.json()["token"]
        return response

    def body(self, article):
        return self.get(f"me/articles/{article.pk}/body/")

    def read_here(self, article):
        return self.post(f"me/articles/{article.pk}/read-here/")

    def heartbeat(self, article, fence: int):
        return self.post(f"me/articles/{article.pk}/heartbeat/", {"fence": fence})


def verified(user):
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


@pytest.fixture
def app():
    return App()


@pytest.fixture
def web():
    return Client()
