"""Forms of the group pages. They parse what was typed; the rules live in services.py and
board.py (the same ones the API goes through), whose errors are put back on these forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from renrakucho.accounts.models import Occupation
from renrakucho.facilities.models import FacilityType

from .models import Policy

ACCEPT = (
    "image/jpeg,image/png,image/heic,.heic,.heif,video/mp4,video/quicktime,.mov,application/pdf"
)


class JapaneseForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type="file" multiple>; empty files pass here so the
    service refuses them with its own message."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class GroupForm(JapaneseForm):
    name = forms.CharField(label=_("グループ名"), max_length=100)
    description = forms.CharField(
        label=_("説明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    policy = forms.ChoiceField(
        label=_("参加方法"), choices=Policy.choices, widget=forms.RadioSelect
    )
    announcement_only = forms.BooleanField(
        label=_("お知らせ専用（管理者だけがスレッドを立てられる）"), required=False
    )
    occupations = forms.ModelMultipleChoiceField(
        label=_("参加できる職種（指定しなければ全職種）"),
        queryset=Occupation.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    facility_types = forms.MultipleChoiceField(
        label=_("参加できる事業所の種別（指定しなければすべて）"),
        choices=FacilityType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args,
        is_operator: bool = False,
        networks=(),
        editing=False,
        partners: bool = False,
        **kwargs,
    ):
        """`partners`: offer 広域連携 (open_to_partners) — an owner operating the group's
        Network editing it."""
        super().__init__(*args, **kwargs)
        self.fields["network"] = forms.ModelChoiceField(
            label=_("ネットワーク"), queryset=networks, empty_label=None
        )
        if not is_operator:
            # Open and announcement-only groups are the operator's.
            self.fields["policy"].choices = [
                (value, label) for value, label in Policy.choices if value != Policy.OPEN
            ]
            del self.fields["announcement_only"]
        if editing:
            for name in ("network", "occupations", "facility_types", "announcement_only"):
                self.fields.pop(name, None)
        if editing and partners:
            self.fields["open_to_partners"] = forms.BooleanField(
                label=_("広域連携協定を結んだネットワークにも公開する"),
                help_text=_(
                    "ネットワークをまたぐグループを認める協定の相手ネットワークの方も、"
                    "同じ参加方法と参加条件で参加できます。協定が終わると参加できなくなります。"
                ),
                required=False,
            )
        self.order_fields(["network", "name", "description", "policy"])


class ThreadForm(JapaneseForm):
    title = forms.CharField(label=_("件名"), max_length=200)
    body = forms.CharField(
        label=_("本文"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    files = MultipleFileField(label=_("添付ファイル（写真・動画・PDF）"))


class ReplyForm(JapaneseForm):
    body = forms.CharField(
        label=_("返信"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(label=_("添付ファイル（写真・動画・PDF）"))


class InviteForm(JapaneseForm):
    """Invite by login ID (the owner knows their colleague's ID; no directory is exposed)."""

    username = forms.CharField(label=_("招待する方のログインID"), max_length=64)


class LeaveForm(JapaneseForm):
    successor = forms.ChoiceField(label=_("次の管理者"), required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].choices = [("", "―")] + [
            (str(m.uuid), m.user.name) for m in candidates
        ]


class SearchForm(JapaneseForm):
    q = forms.CharField(label=_("キーワード"), max_length=100, required=False)
