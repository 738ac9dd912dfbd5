"""Forms we put in place of allauth's and Wagtail's: signup (a taken address costs what a new
one does) and the Wagtail admin's password reset (rate limited like allauth's)."""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context, ratelimit
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import PasswordResetForm as WagtailPasswordResetForm


class SignupForm(AllauthSignupForm):
    def try_save(self, request):
        if self.account_already_exists:
            # A new account costs a password hash (and an email through the task queue, as the
            # "account already exists" email goes): so does this answer, or its speed would
            # tell that the address has an account.
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class AdminPasswordResetForm(WagtailPasswordResetForm):
    """The Wagtail admin's password reset, under allauth's "reset_password" limits (per client
    address and per email address), as allauth's own reset form is."""

    def clean(self):
        cleaned = super().clean()
        address = cleaned.get("email")
        if address and not ratelimit.consume(
            context.request, action="reset_password", key=address.lower()
        ):
            raise ValidationError(_("Too many requests. Please try again later."))
        return cleaned
