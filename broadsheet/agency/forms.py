from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .limits import limit


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("An RSS 2.0, Atom or IPTC ninjs file, in the source's format."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > limit("MAX_DOCUMENT_BYTES"):
            raise forms.ValidationError(
                _("The file is larger than %(limit)s bytes."),
                params={"limit": limit("MAX_DOCUMENT_BYTES")},
            )
        return upload
