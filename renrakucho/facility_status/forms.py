"""Forms of the operating-status pages. They parse what was typed; the rules live in the
model and services.facility_status_update (the same ones the API goes through), whose
errors are put back on the form so that what was typed is kept."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from renrakucho.facilities.models import FacilityType

from .models import SUPPLIES, FacilityStatus, Restriction, StatusKind, SupplyLevel
from .selectors import NO_STATUS


class JapaneseForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # Japanese labels take no trailing colon
        super().__init__(*args, **kwargs)


def _supply_field(label) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        # 未回答 last: it is the default, the others are what the staff answers.
        choices=[
            (level.value, level.label)
            for level in (
                SupplyLevel.ENOUGH,
                SupplyLevel.LOW,
                SupplyLevel.SHORT,
                SupplyLevel.UNKNOWN,
            )
        ],
        initial=SupplyLevel.UNKNOWN,
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _(
                "物資の状況は「十分」「少ない」「不足」「未回答」から選んでください。"
            )
        },
    )


class StatusForm(JapaneseForm):
    status = forms.ChoiceField(
        label=_("運営状況"),
        choices=StatusKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("運営状況を選んでください。"),
            "invalid_choice": _("運営状況を選んでください。"),
        },
    )
    restrictions = forms.MultipleChoiceField(
        label=_("制限している内容（受入制限のとき）"),
        choices=Restriction.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("制限している内容の指定が正しくありません。")},
    )
    restriction_note = forms.CharField(
        label=_("制限の内容（その他・詳細）"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("制限の内容は200文字以内で入力してください。")},
    )
    reason = forms.CharField(
        label=_("理由（休止・閉鎖のときは必須）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("理由は500文字以内で入力してください。")},
    )
    expected_reopening = forms.DateField(
        label=_("再開予定日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("日付の形式が正しくありません（例: 2024-04-01）。")},
    )
    masks = _supply_field(_("マスク"))
    gloves = _supply_field(_("手袋"))
    disinfectant = _supply_field(_("消毒液"))
    ppe = _supply_field(_("ガウン等の防護具"))
    notes = forms.CharField(
        label=_("備考（PCR検査の実施可否など）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("備考は1000文字以内で入力してください。")},
    )

    SUPPLY_FIELDS = [name for name, _label in SUPPLIES]

    @classmethod
    def initial_from(cls, entry: FacilityStatus | None) -> dict:
        """The form pre-filled with the current report (a new report starts from it)."""
        if entry is None:
            return {"status": StatusKind.NORMAL}
        initial = {
            "status": entry.status,
            "restrictions": list(entry.restrictions),
            "restriction_note": entry.restriction_note,
            "reason": entry.reason,
            "expected_reopening": entry.expected_reopening,
            "notes": entry.notes,
        }
        initial.update({name: getattr(entry, name) for name in cls.SUPPLY_FIELDS})
        return initial

    def supply_fields(self):
        return [self[name] for name in self.SUPPLY_FIELDS]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "status": data["status"],
            "restrictions": data["restrictions"],
            "restriction_note": data["restriction_note"],
            "reason": data["reason"],
            "expected_reopening": data["expected_reopening"],
            "supplies": {name: data[name] or SupplyLevel.UNKNOWN for name in self.SUPPLY_FIELDS},
            "notes": data["notes"],
        }

    def add_service_errors(self, error) -> None:
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)


class BoardFilterForm(JapaneseForm):
    """The board's filters (GET). Unknown values are ignored by selectors.BoardFilters."""

    type = forms.ChoiceField(
        label=_("種別"),
        choices=[("", _("すべての種別")), *FacilityType.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("運営状況"),
        choices=[("", _("すべて")), *StatusKind.choices, (NO_STATUS, _("未登録"))],
        required=False,
    )
    shortage = forms.BooleanField(label=_("物資が少ない・不足の事業所のみ"), required=False)


class RequestForm(JapaneseForm):
    message = forms.CharField(
        label=_("お知らせに添えるメッセージ（任意）"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("メッセージは2000文字以内で入力してください。")},
    )
