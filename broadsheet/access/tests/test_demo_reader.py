from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from broadsheet.subscriptions.selectors import entitlement_for
from broadsheet.subscriptions.setup import plans_setup

pytestmark = pytest.mark.django_db


def test_demo_reader_is_a_premium_subscriber_and_can_be_reset(editions):
    plans_setup()
    call_command("demo_reader", "--password", "first demo pass 1", stdout=StringIO())
    call_command("demo_reader", "--password", "second demo pass 2", stdout=StringIO())

    user = get_user_model().objects.get(email="subscriber@example.com")
    assert user.check_password("second demo pass 2")
    entitlement = entitlement_for(user)
    assert entitlement is not None and entitlement.plan_kind == "premium"
    assert user.seats.count() == 1  # running it again grants nothing more
