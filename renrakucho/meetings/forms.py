"""Forms of the meeting pages. They parse what was typed; the rules live in services.py (the
same ones the API goes through), whose errors are put back on these forms."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from renrakucho.timeline.forms import (
    DATETIME_FORMATS,
    JapaneseForm,
    MultipleFileField,
    MultipleFileInput,
)

from .models import MeetingKind, Provider

ACCEPT = "application/pdf,image/jpeg,image/png,image/heic,.heic,.heif"
FOLLOW_UP_ROWS = 3


def _user_label(user) -> str:
    return f"{user.name}（{user.name_kana}）" if user.name_kana else user.name


class UsersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return _user_label(obj)


class UserField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _user_label(obj)


class MeetingForm(JapaneseForm):
    """The scheduling form. `team` (a list of users) makes it a team meeting's form, with the
    team as checkboxes; otherwise invitees are typed as login IDs. `manual_url` shows the
    URL field (the Network's provider is 'manual')."""

    kind = forms.ChoiceField(
        label=_("種類"),
        choices=MeetingKind.choices,
        error_messages={"required": _("会議の種類を選択してください。")},
    )
    title = forms.CharField(
        label=_("件名"),
        max_length=200,
        error_messages={"required": _("件名を入力してください。")},
    )
    starts_at = forms.DateTimeField(
        label=_("開始日時"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("開始日時を入力してください。"),
            "invalid": _("開始日時を正しく入力してください。"),
        },
    )
    duration_minutes = forms.IntegerField(
        label=_("所要時間（分）"),
        initial=60,
        min_value=5,
        max_value=24 * 60,
        error_messages={
            "required": _("所要時間を入力してください。"),
            "invalid": _("所要時間は数字で入力してください。"),
            "min_value": _("所要時間は5分から1440分（24時間）の間で入力してください。"),
            "max_value": _("所要時間は5分から1440分（24時間）の間で入力してください。"),
        },
    )
    purpose = forms.CharField(
        label=_("目的"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    agenda = forms.CharField(
        label=_("議題"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    files = MultipleFileField(
        label=_("資料（PDF・写真、10件まで）"), widget=MultipleFileInput(attrs={"accept": ACCEPT})
    )

    def __init__(self, *args, team=None, manual_url=False, kinds=None, group=False, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds:
            self.fields["kind"].choices = [c for c in MeetingKind.choices if c[0] in kinds]
        if team is not None:
            self.fields["invitees"] = UsersField(
                label=_("招待する人（グループのメンバー）")
                if group
                else _("招待する人（支援チーム）"),
                queryset=team,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                to_field_name="uuid",
                help_text=_("選ばなければメンバー全員を招待します。")
                if group
                else _("選ばなければチーム全員を招待します。"),
            )
        else:
            self.fields["invitees"] = forms.CharField(
                label=_("招待する人のログインID"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
                help_text=_(
                    "同じネットワークの利用者のログインIDを、空白か改行で区切って入力します。"
                ),
            )
        if manual_url:
            self.fields["join_url"] = forms.URLField(
                label=_("ビデオ会議のURL"),
                max_length=500,
                assume_scheme="https",
                error_messages={
                    "required": _("ビデオ会議のURLを入力してください。"),
                    "invalid": _("ビデオ会議のURLは https:// で始まるURLを入力してください。"),
                },
            )

    def login_ids(self) -> list[str]:
        value = self.cleaned_data.get("invitees") or ""
        if not isinstance(value, str):
            return []
        return [part for part in re.split(r"[\s,、，]+", value) if part]


class MeetingEditForm(MeetingForm):
    """The change form: the scheduling form without the kind and the files (documents are
    added on the meeting page); the invitation list is edited in place and may not be
    empty."""

    def __init__(self, *args, team=None, group=False, **kwargs):
        super().__init__(*args, team=team, group=group, **kwargs)
        del self.fields["kind"]
        del self.fields["files"]
        invitees = self.fields["invitees"]
        invitees.required = True
        invitees.error_messages["required"] = _("招待する人を1人以上選んでください。")
        if team is not None:
            invitees.help_text = _(
                "チェックを外した人は招待から外れ、この会議を見られなくなります。"
            )
        else:
            invitees.help_text = _(
                "同じネットワークの利用者のログインIDを、空白か改行で区切って入力します。"
                "消したログインIDの人は招待から外れ、この会議を見られなくなります。"
            )


class RespondForm(forms.Form):
    response = forms.ChoiceField(choices=[("attend", _("出席")), ("decline", _("欠席"))])


class AttachForm(JapaneseForm):
    files = MultipleFileField(
        label=_("資料を追加（PDF・写真）"), widget=MultipleFileInput(attrs={"accept": ACCEPT})
    )


class MinutesForm(JapaneseForm):
    body = forms.CharField(
        label=_("議事録"),
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("議事録を入力してください。")},
    )
    decisions = forms.CharField(
        label=_("決定事項"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, invitees=None, **kwargs):
        super().__init__(*args, **kwargs)
        invitees = invitees if invitees is not None else []
        for index in range(FOLLOW_UP_ROWS):
            self.fields[f"fu{index}_text"] = forms.CharField(
                label=_("依頼の内容"), required=False, max_length=300
            )
            self.fields[f"fu{index}_assignee"] = UserField(
                label=_("依頼先"),
                queryset=invitees,
                required=False,
                to_field_name="uuid",
                empty_label=_("選んでください"),
            )
            self.fields[f"fu{index}_due_on"] = forms.DateField(
                label=_("期限"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={"invalid": _("期限を正しく入力してください。")},
            )

    def follow_up_rows(self) -> list[list]:
        return [
            [self[f"fu{i}_text"], self[f"fu{i}_assignee"], self[f"fu{i}_due_on"]]
            for i in range(FOLLOW_UP_ROWS)
        ]

    def follow_ups(self) -> list[tuple]:
        """(text, assignee, due_on) of each row with anything typed in it."""
        rows = []
        for i in range(FOLLOW_UP_ROWS):
            text = self.cleaned_data.get(f"fu{i}_text") or ""
            assignee = self.cleaned_data.get(f"fu{i}_assignee")
            due_on = self.cleaned_data.get(f"fu{i}_due_on")
            if text or assignee or due_on:
                rows.append((text, assignee, due_on))
        return rows


class ProviderForm(JapaneseForm):
    provider = forms.ChoiceField(
        label=_("ビデオ会議サービス"),
        choices=Provider.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("ビデオ会議サービスを選択してください。")},
    )
