"""Forms of the chat screens. The rules live in services (Japanese ValidationErrors, put on
the forms with residents.forms.add_service_errors)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

ACCEPT = "image/jpeg,image/png,image/heic,image/heif,.heic,.heif,video/mp4,video/quicktime,application/pdf"


class JapaneseForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type="file" multiple>; empty files pass here so that
    the service refuses them with its own message."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class UUIDListField(forms.Field):
    """Checked boxes named `members` carrying user UUIDs; who they are is the service's
    business (it answers in Japanese)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, (list, tuple)) else ([value] if value else [])
        out = []
        for item in values:
            try:
                out.append(uuid.UUID(str(item)))
            except ValueError:
                raise forms.ValidationError(_("選択した利用者が正しくありません。"))
        return out


class MessageForm(JapaneseForm):
    body = forms.CharField(
        label=_("メッセージ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
    )
    files = MultipleFileField(label=_("添付ファイル（写真・動画・PDF）"))
    resident = forms.ChoiceField(label=_("支援対象者へのリンク"), required=False)

    def __init__(self, *args, resident_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].choices = [("", _("リンクしない")), *resident_choices]


class ConversationForm(JapaneseForm):
    members = UUIDListField(label=_("メンバー"), required=False)
    title = forms.CharField(
        label=_("会話の名前（グループのとき・任意）"), required=False, max_length=100
    )


class TitleForm(JapaneseForm):
    title = forms.CharField(label=_("会話の名前"), required=False, max_length=100)


class MembersForm(JapaneseForm):
    members = UUIDListField(label=_("追加するメンバー"), required=False)


class EditForm(JapaneseForm):
    body = forms.CharField(
        label=_("メッセージ"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
