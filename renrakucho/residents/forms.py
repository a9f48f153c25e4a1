"""Forms of the resident screens. They validate what a person can fix on the page; the
services validate again (they are also called by the API) and their ValidationErrors are put
back on the form with `add_service_errors`."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renrakucho.accounts.models import Occupation, User
from renrakucho.core.text import is_kana
from renrakucho.facilities.models import phone_validator, postal_code_validator
from renrakucho.files.uploads import check_upload
from renrakucho.networks.models import Network

from .models import CareLevel, CareTeamMember, Consent, KeyPerson, Resident, Sex, TeamRole

KANA_ERROR = _("フリガナはカタカナまたはひらがなで入力してください。")


class JapaneseLabels:
    """Labels without the English-style colon (Japanese forms put the label above the field)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _clean_kana(value: str) -> str:
    if value and not is_kana(value):
        raise ValidationError(KANA_ERROR, code="kana")
    return value


def _not_future(value, message):
    if value and value > timezone.localdate():
        raise ValidationError(message, code="future")
    return value


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on `form`: on the field it names when the form has
    that field, otherwise as a form-wide error (never lost)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class UserChoiceField(forms.ModelChoiceField):
    """A professional shown with kana, occupations are not loaded here (no extra queries)."""

    def label_from_instance(self, obj: User) -> str:
        return f"{obj.name}（{obj.name_kana}）" if obj.name_kana else obj.name


# --- Resident -------------------------------------------------------------------------

BASIC_FIELDS = (
    "name",
    "name_kana",
    "birth_date",
    "sex",
    "care_level",
    *Resident.FLAG_FIELDS,
)
DETAIL_FIELDS = (
    "postal_code",
    "address",
    "latitude",
    "longitude",
    "phone",
    "primary_doctor",
    "primary_doctor_note",
    "note",
)


class ResidentForm(JapaneseLabels, forms.ModelForm):
    """The resident record. With `basic_only` (no team-sharing consent in force) only the
    fields of the basic card are on the form, so nothing beyond the card is shown or changed.
    """

    primary_doctor = UserChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("主治医（登録されている医師）"),
        empty_label=_("選択しない"),
        to_field_name="uuid",
    )

    class Meta:
        model = Resident
        fields = (*BASIC_FIELDS, *DETAIL_FIELDS)
        widgets = {
            "birth_date": DateInput(),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "postal_code": forms.TextInput(attrs={"inputmode": "numeric"}),
            "note": forms.Textarea(attrs={"rows": 4}),
            "latitude": forms.NumberInput(attrs={"step": "any"}),
            "longitude": forms.NumberInput(attrs={"step": "any"}),
        }
        help_texts = {
            "name_kana": _("カタカナまたはひらがなで入力してください（例: ヤマダ ハナコ）。"),
            "primary_doctor_note": _("登録されていない医師・医療機関はこちらに入力します。"),
        }

    def __init__(self, *args, doctors=None, basic_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.basic_only = basic_only
        if basic_only:
            for name in DETAIL_FIELDS:
                del self.fields[name]
        else:
            self.fields["primary_doctor"].queryset = (
                doctors if doctors is not None else User.objects.none()
            )
            self.fields["phone"].validators.append(phone_validator)
            self.fields["postal_code"].validators.append(postal_code_validator)
        self.fields["care_level"].choices = [("", _("未設定")), *CareLevel.choices]
        self.fields["sex"].choices = [("", _("選択してください")), *Sex.choices]

    def clean_name_kana(self):
        return _clean_kana(self.cleaned_data.get("name_kana", ""))

    def clean_birth_date(self):
        return _not_future(
            self.cleaned_data.get("birth_date"), _("生年月日に未来の日付は指定できません。")
        )

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class ResidentCreateForm(ResidentForm):
    """Registration: the Network (among those the user acts in) and, for a professional,
    the role with which they become the first member and lead of the team."""

    network = forms.ModelChoiceField(
        queryset=Network.objects.none(),
        label=_("ネットワーク"),
        to_field_name="slug",
        empty_label=None,
    )
    team_role = forms.ChoiceField(
        label=_("あなたのチームでの役割"),
        required=False,
        choices=[("", _("チームに参加しない（運営者のみ）")), *TeamRole.choices],
        help_text=_("登録した専門職は、この役割でチームの最初のメンバー・リーダーになります。"),
    )

    def __init__(self, *args, user, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["network"].queryset = networks
        self.operated_ids = user.operated_network_ids()
        if not self.operated_ids:
            self.fields["team_role"].choices = [("", _("選択してください")), *TeamRole.choices]
        self.order_fields(["network", "team_role", *self.Meta.fields])

    def clean(self):
        cleaned = super().clean()
        network = cleaned.get("network")
        operating = network is not None and network.pk in self.operated_ids
        if network is not None and not operating and not cleaned.get("team_role"):
            self.add_error(
                "team_role", _("専門職として登録する場合は、チームでの役割を選択してください。")
            )
        doctor = cleaned.get("primary_doctor")
        if network is not None and doctor is not None:
            from .selectors import doctor_in_network

            if not doctor_in_network(doctor, network):
                self.add_error(
                    "primary_doctor", _("選んだネットワークに所属する医師を選択してください。")
                )
        return cleaned

    def service_fields(self) -> dict:
        fields = super().service_fields()
        fields.pop("network", None)
        fields.pop("team_role", None)
        return fields


class KeyPersonForm(JapaneseLabels, forms.ModelForm):
    class Meta:
        model = KeyPerson
        fields = ("name", "name_kana", "relation", "phone", "is_guardian")
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators.append(phone_validator)

    def clean_name_kana(self):
        return _clean_kana(self.cleaned_data.get("name_kana", ""))

    def person(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class BaseKeyPersonFormSet(forms.BaseFormSet):
    def people(self) -> list[dict]:
        """The people to keep: filled-in rows not marked for deletion (blank extra rows of
        an unchanged form have empty cleaned_data and are skipped)."""
        return [
            form.person()
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]


KeyPersonFormSet = forms.formset_factory(
    KeyPersonForm, formset=BaseKeyPersonFormSet, extra=2, can_delete=True, max_num=20
)


def key_person_initial(people: list[KeyPerson]) -> list[dict]:
    return [{name: getattr(p, name) for name in KeyPersonForm.Meta.fields} for p in people]


# --- Search -----------------------------------------------------------------------------


class ResidentSearchForm(JapaneseLabels, forms.Form):
    q = forms.CharField(label=_("氏名・フリガナで検索"), required=False, max_length=100)
    care_level = forms.MultipleChoiceField(
        label=_("要介護度"),
        required=False,
        choices=CareLevel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    flag = forms.MultipleChoiceField(
        label=_("該当する項目"),
        required=False,
        choices=[(f, Resident._meta.get_field(f).verbose_name) for f in Resident.FLAG_FIELDS],
        widget=forms.CheckboxSelectMultiple,
    )
    mine = forms.BooleanField(label=_("自分のチームのみ"), required=False)


# --- Consent ----------------------------------------------------------------------------


class ConsentForm(JapaneseLabels, forms.ModelForm):
    scan = forms.FileField(
        label=_("同意書（スキャン・写真）"),
        required=False,
        help_text=_("PDF・JPEG・PNG・HEIC。写真の位置情報などは保存時に取り除かれます。"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,image/heic"}
        ),
    )

    class Meta:
        model = Consent
        fields = (
            "consenter",
            "proxy_name",
            "proxy_relation",
            "consented_on",
            "scope_team",
            "scope_family",
            "scope_emergency",
            "scope_cross_network",
        )
        widgets = {"consenter": forms.RadioSelect, "consented_on": DateInput()}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("consented_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.checked_file = None

    def clean_consented_on(self):
        return _not_future(
            self.cleaned_data.get("consented_on"), _("同意日に未来の日付は指定できません。")
        )

    def clean_scan(self):
        upload = self.cleaned_data.get("scan")
        if upload:
            self.checked_file = check_upload(upload, max_bytes=settings.CONSENT_FORM_MAX_BYTES)
        return upload

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ConsentRevokeForm(JapaneseLabels, forms.Form):
    revoked_on = forms.DateField(label=_("撤回日"), widget=DateInput())
    reason = forms.CharField(label=_("撤回理由"), max_length=300)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("revoked_on", timezone.localdate())
        super().__init__(*args, **kwargs)


# --- Care team --------------------------------------------------------------------------


class ProfessionalSearchForm(JapaneseLabels, forms.Form):
    q = forms.CharField(label=_("氏名・フリガナ"), required=False, max_length=100)
    occupation = forms.ModelChoiceField(
        label=_("職種"),
        queryset=Occupation.objects.all(),
        required=False,
        to_field_name="code",
        empty_label=_("すべての職種"),
    )
    facility = forms.CharField(label=_("事業所名"), required=False, max_length=100)


class InviteForm(JapaneseLabels, forms.Form):
    invitee = UserChoiceField(
        queryset=User.objects.none(),
        label=_("招待する専門職"),
        to_field_name="uuid",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("招待する専門職を選択してください。"),
            "invalid_choice": _(
                "この方は招待できません（招待できるネットワークの方ではない、利用停止中、"
                "または既にメンバーか招待中です）。"
            ),
        },
    )
    role = forms.ChoiceField(
        label=_("チームでの役割"),
        choices=[("", _("選択してください")), *TeamRole.choices],
        error_messages={"required": _("役割を選択してください。")},
    )
    message = forms.CharField(
        label=_("メッセージ（任意）"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invitee"].queryset = candidates


class LeaveForm(JapaneseLabels, forms.Form):
    successor = forms.TypedChoiceField(label=_("後任のチームリーダー"), required=False)
    reason = forms.CharField(label=_("理由（任意）"), required=False, max_length=300)

    def __init__(self, *args, others: list[CareTeamMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.others = {str(m.uuid): m for m in others}
        self.fields["successor"].choices = [
            ("", _("選択してください")),
            *((key, f"{m.user.name}（{m.get_role_display()}）") for key, m in self.others.items()),
        ]

    def clean_successor(self) -> CareTeamMember | None:
        return self.others.get(self.cleaned_data.get("successor") or "")


class ReasonForm(JapaneseLabels, forms.Form):
    reason = forms.CharField(label=_("理由（任意）"), required=False, max_length=300)
