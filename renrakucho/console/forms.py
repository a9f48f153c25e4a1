from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from renrakucho.audit.models import Action
from renrakucho.audit.selectors import AuditFilters
from renrakucho.facilities.models import Facility, FacilityType
from renrakucho.networks.models import Network

from .services import NETWORK_SETTINGS_FIELDS


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class RejectFacilityForm(_Form):
    reason = forms.CharField(
        label=_("却下の理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("申請者に伝わります。例: 事業所番号を確認できませんでした。"),
        error_messages={"required": _("却下の理由を入力してください。")},
    )


class FacilityFilterForm(_Form):
    type = forms.ChoiceField(
        label=_("種別"), required=False, choices=[("", _("すべて")), *FacilityType.choices]
    )
    status = forms.ChoiceField(
        label=_("状態"), required=False, choices=[("", _("すべて")), *Facility.Status.choices]
    )


class SuspendForm(_Form):
    network = forms.ModelChoiceField(
        label=_("ネットワーク"),
        queryset=Network.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("ネットワークの選択が正しくありません。")},
    )
    reason = forms.CharField(
        label=_("利用停止の理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("利用停止の理由を入力してください。")},
    )

    def __init__(self, *args, networks: list[Network], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.filter(id__in=[n.id for n in networks])
        if len(networks) == 1:
            self.fields["network"].initial = networks[0].pk
            self.fields["network"].widget = forms.HiddenInput()


class NetworkSettingsForm(forms.ModelForm):
    class Meta:
        model = Network
        fields = NETWORK_SETTINGS_FIELDS
        labels = {"name": _("ネットワーク名（ブランド名）")}
        help_texts = {
            "name": _("例: まっくん電子@連絡帳"),
            "contact": _("利用者向けの問い合わせ先（電話番号やメールアドレス）"),
            "two_factor_required": _(
                "オンにすると、このネットワークの全員が次の操作からワンタイムパスワード（TOTP）での"
                "ログインを求められます。"
            ),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class AuditFilterForm(_Form):
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("すべて")), *Action.choices]
    )
    actor = forms.CharField(label=_("操作者のログインID"), required=False, max_length=64)
    resident = forms.UUIDField(
        label=_("支援対象者ID"),
        required=False,
        error_messages={"invalid": _("支援対象者IDの形式が正しくありません。")},
    )
    date_from = forms.DateField(
        label=_("開始日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("日付の形式が正しくありません（例: 2026-04-01）。")},
    )
    date_to = forms.DateField(
        label=_("終了日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("日付の形式が正しくありません（例: 2026-04-30）。")},
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput())

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError(_("開始日は終了日より前の日付にしてください。"))
        return cleaned

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            action=data.get("action") or "",
            actor_username=(data.get("actor") or "").strip(),
            resident_uuid=data.get("resident"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
