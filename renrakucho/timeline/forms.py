"""Forms of the timeline pages. They parse what was typed; the rules live in services.py and
vitals.py (the same ones the API goes through), whose errors are put back on these forms."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Post, PostKind, Visibility
from .vitals import SPECS, clean_vitals

ACCEPT = (
    "image/jpeg,image/png,image/heic,.heic,.heif,video/mp4,video/quicktime,.mov,application/pdf"
)
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
PRINT_DEFAULT_DAYS = 30
PRINT_MAX_DAYS = 366


class JapaneseForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # Japanese labels take no trailing colon
        super().__init__(*args, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type="file" multiple>. Empty files pass here so that
    the service refuses them with its own message (「ファイルが空です。」)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def _vital_field(key: str) -> forms.CharField:
    spec = SPECS[key]
    return forms.CharField(
        label=_("%(label)s（%(unit)s）") % {"label": spec.label, "unit": spec.unit},
        required=False,
        max_length=10,
        # A text field with a numeric keyboard: the range message is ours, in Japanese,
        # rather than the browser's.
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class PostFieldsForm(JapaneseForm):
    """What a post is made of (the composer and the edit page)."""

    kind = forms.ChoiceField(label=_("種類"), choices=PostKind.choices, initial=PostKind.MESSAGE)
    body = forms.CharField(
        label=_("本文"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    visited_at = forms.DateTimeField(
        label=_("訪問・測定日時"),
        required=False,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("訪問記録では必ず入力してください。"),
        error_messages={"invalid": _("訪問日時を正しく入力してください。")},
    )
    visibility = forms.ChoiceField(
        label=_("公開範囲"),
        choices=Visibility.choices,
        initial=Visibility.TEAM,
        widget=forms.RadioSelect,
    )
    urgent = forms.BooleanField(label=_("緊急（チーム全員にすぐ通知します）"), required=False)

    VITAL_KEYS = tuple(SPECS)

    def __init__(self, *args, allow_medical: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        for key in self.VITAL_KEYS:
            self.fields[key] = _vital_field(key)
        if not allow_medical:
            self.fields["visibility"].choices = [
                c for c in Visibility.choices if c[0] != Visibility.MEDICAL
            ]

    @property
    def vital_fields(self) -> list:
        return [self[key] for key in self.VITAL_KEYS]

    @property
    def main_fields(self) -> list:
        return [self["kind"], self["body"], self["visited_at"]]

    def clean(self):
        cleaned = super().clean()
        try:
            clean_vitals({key: cleaned.get(key) for key in self.VITAL_KEYS})
        except forms.ValidationError as error:
            for key, messages in error.message_dict.items():
                self.add_error(key if key in self.fields else None, messages)
        return cleaned

    def vitals(self) -> dict[str, str]:
        """The typed vitals (strings; the service parses and checks them again)."""
        return {key: self.cleaned_data[key] for key in self.VITAL_KEYS if self.cleaned_data[key]}

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "body": data["body"],
            "visited_at": data["visited_at"],
            "vitals": self.vitals(),
            "visibility": data["visibility"],
            "urgent": data["urgent"],
        }


class PostForm(PostFieldsForm):
    """The composer: a post and its files."""

    files = MultipleFileField(
        label=_("写真・動画・PDF"),
        help_text=_("複数選べます。写真の位置情報などは保存前に取り除かれます。"),
    )


def edit_initial(post: Post) -> dict[str, Any]:
    initial = {
        "kind": post.kind,
        "body": post.body,
        "visited_at": timezone.localtime(post.visited_at) if post.visited_at else None,
        "visibility": post.visibility,
        "urgent": post.urgent,
    }
    vitals = getattr(post, "vitals", None)
    if vitals is not None:
        for key, value in vitals.recorded().items():
            initial[key] = SPECS[key].format(value)
    return initial


class RetractForm(JapaneseForm):
    reason = forms.CharField(
        label=_("取り消しの理由"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("取り消しの理由を入力してください。"),
            "max_length": _("取り消しの理由は300文字以内で入力してください。"),
        },
    )


class PeriodForm(JapaneseForm):
    """The period of the print page (支援経過記録). Empty means the last 30 days."""

    start = forms.DateField(
        label=_("開始日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("開始日を正しく入力してください。")},
    )
    end = forms.DateField(
        label=_("終了日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("終了日を正しく入力してください。")},
    )

    # The page's query string is ?from=&to= (a Python keyword cannot name a field).
    _NAMES = {"start": "from", "end": "to"}

    def add_prefix(self, field_name):
        return self._NAMES.get(field_name, field_name)

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        end = cleaned.get("end") or today
        start = cleaned.get("start") or end - datetime.timedelta(days=PRINT_DEFAULT_DAYS - 1)
        if start > end:
            self.add_error("end", _("終了日は開始日以降の日付にしてください。"))
        elif (end - start).days >= PRINT_MAX_DAYS:
            self.add_error("end", _("印刷できる期間は1年以内です。"))
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def period(self) -> tuple[datetime.date, datetime.date]:
        return self.cleaned_data["start"], self.cleaned_data["end"]

    @staticmethod
    def default_period() -> tuple[datetime.date, datetime.date]:
        end = timezone.localdate()
        return end - datetime.timedelta(days=PRINT_DEFAULT_DAYS - 1), end
