from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import rules

# Browsers cap what they send at maxlength; anything longer is a bot or a mistake.
EMAIL_FIELD_MAX = 320


class SignupForm(forms.Form):
    email = forms.CharField(
        label=_("Email address"),
        max_length=EMAIL_FIELD_MAX,
        error_messages={
            "required": _("Enter your email address."),
            "max_length": _("That email address is too long."),
        },
    )
    newsletters = forms.TypedMultipleChoiceField(
        label=_("Newsletters"),
        coerce=int,
        error_messages={
            "required": _("Choose at least one newsletter."),
            "invalid_choice": _("That newsletter is not offered in this edition."),
        },
    )
    source = forms.CharField(required=False, max_length=32)
    # The honeypot: hidden from people, filled in by form-filling bots.
    website = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, newsletters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].choices = [(n.pk, n.name) for n in newsletters]

    def clean_email(self) -> str:
        email = rules.email_normalise(self.cleaned_data["email"])
        problem = rules.email_problem(
            email, extra_disposable=settings.NEWSLETTERS_EXTRA_DISPOSABLE_DOMAINS
        )
        if problem:
            raise forms.ValidationError(problem)
        return email

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class PreferencesForm(forms.Form):
    newsletters = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, newsletter_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].choices = [(pk, pk) for pk in newsletter_ids]
