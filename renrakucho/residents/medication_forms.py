"""Forms of the 服薬・病名 screens. The services validate again (the API calls them too)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import DateInput, JapaneseLabels
from .models import Diagnosis, Medication


class MedicationForm(JapaneseLabels, forms.ModelForm):
    class Meta:
        model = Medication
        fields = Medication.EDITABLE_FIELDS
        labels = {
            "name": _("薬剤名"),
            "dose": _("用量・用法"),
            "since": _("開始日"),
            "until": _("終了日（予定）"),
            "note": _("備考"),
        }
        help_texts = {
            "dose": _("例: 1回1錠 1日2回 朝夕食後"),
            "until": _("終了日を過ぎると「終了したもの」に移ります。"),
        }
        error_messages = {"name": {"required": _("薬剤名を入力してください。")}}
        widgets = {"since": DateInput(), "until": DateInput()}

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("終了日は開始日以降の日付にしてください。"))
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in Medication.EDITABLE_FIELDS}


class DiagnosisForm(JapaneseLabels, forms.ModelForm):
    class Meta:
        model = Diagnosis
        fields = Diagnosis.EDITABLE_FIELDS
        labels = {"name": _("病名"), "since": _("診断日"), "note": _("備考")}
        error_messages = {"name": {"required": _("病名を入力してください。")}}
        widgets = {"since": DateInput()}

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in Diagnosis.EDITABLE_FIELDS}


class EndForm(JapaneseLabels, forms.Form):
    reason = forms.CharField(
        label=_("終了の理由"),
        max_length=300,
        help_text=_("例: 処方終了、治癒、誤って登録したため"),
        error_messages={"required": _("終了の理由を入力してください。")},
    )
