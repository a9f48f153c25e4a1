"""Forms of the post footer (comment, request, request state) and of timeline search.

They only parse what was typed; the rules (who may be asked, due dates, transitions) live in
timeline.interactions, whose ValidationErrors are put back on these forms by field.
"""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from renrakucho.accounts.models import Occupation

from .interactions import COMMENT_MAX_LENGTH, NOTE_MAX_LENGTH
from .models import CareRequest, PostKind


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's ValidationError onto `form`: on the field it names, else form-wide."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("コメント"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("コメントを入力してください。"),
            "max_length": _("コメントは%(limit_value)d文字以内で入力してください。"),
        },
    )


class CareRequestForm(forms.Form):
    """依頼: a team member (by UUID, shown with kana) or an occupation, and a due date.

    The member is posted as a UUID and resolved by the view, so that someone not on the team
    gets the service's specific message rather than a generic "not a valid choice"."""

    assignee = forms.UUIDField(
        label=_("依頼先（メンバー）"),
        required=False,
        error_messages={"invalid": _("依頼先は支援チームのメンバーから選んでください。")},
    )
    occupation = forms.ModelChoiceField(
        label=_("依頼先（職種）"),
        queryset=Occupation.objects.order_by("sort_order", "code"),
        to_field_name="code",
        required=False,
        empty_label=_("（職種で依頼しない）"),
        error_messages={"invalid_choice": _("職種を選択肢から選んでください。")},
    )
    due_on = forms.DateField(
        label=_("期限"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("期限を入力してください。"),
            "invalid": _("期限は 2026-04-01 の形で入力してください。"),
        },
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("（メンバーで依頼しない）"))]
        choices += [
            (str(user.uuid), f"{user.name}（{user.name_kana}）" if user.name_kana else user.name)
            for user in members
        ]
        self.fields["assignee"].widget = forms.Select(choices=choices)


class RequestStatusForm(forms.Form):
    to = forms.ChoiceField(
        choices=CareRequest.Status.choices,
        error_messages={
            "required": _("依頼の状態が正しくありません。"),
            "invalid_choice": _("依頼の状態が正しくありません。"),
        },
    )
    note = forms.CharField(
        label=_("メモ（差戻しの理由など）"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        error_messages={"max_length": _("メモは%(limit_value)d文字以内で入力してください。")},
    )


class TimelineSearchForm(forms.Form):
    """Search within one resident's timeline (or, without `author`, across my residents).
    Every field is optional; invalid values are reported and ignored."""

    q = forms.CharField(label=_("キーワード"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("種類"),
        required=False,
        choices=[("", _("すべて")), *PostKind.choices],
        error_messages={"invalid_choice": _("記事の種類を選択肢から選んでください。")},
    )
    author = forms.CharField(label=_("書いた人"), required=False)
    # `from` is a Python keyword: the field is named from_ and read from "from".
    from_ = forms.DateField(
        label=_("期間（から）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("日付は 2026-04-01 の形で入力してください。")},
    )
    to = forms.DateField(
        label=_("期間（まで）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("日付は 2026-04-01 の形で入力してください。")},
    )

    def __init__(self, data=None, *, authors=(), **kwargs):
        if data is not None and "from" in data:
            data = data.copy()
            data["from_"] = data.get("from")
        super().__init__(data, **kwargs)
        self.fields["author"].widget = forms.Select(
            choices=[("", _("すべて"))]
            + [
                (str(u.uuid), f"{u.name}（{u.name_kana}）" if u.name_kana else u.name)
                for u in authors
            ]
        )

    def clean_author(self):
        value = self.cleaned_data.get("author") or ""
        if not value:
            return None
        try:
            return uuid.UUID(value)
        except ValueError:
            raise ValidationError(_("書いた人を選択肢から選んでください。"))

    def clean(self):
        data = super().clean()
        start, end = data.get("from_"), data.get("to")
        if start and end and start > end:
            self.add_error("to", _("期間の終わりは始まりより後の日付にしてください。"))
        return data
