import unicodedata

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from renrakucho.accounts.models import Occupation, User
from renrakucho.core.text import is_kana, to_katakana

from .models import Facility, FacilityType
from .services import FACILITY_FIELDS, NewAccount


def _half_width(value: str) -> str:
    # Numbers typed on a Japanese keyboard often arrive full-width (０２６５－７８…); the
    # stored form is half-width, and the long-vowel and minus look-alikes become hyphens.
    value = unicodedata.normalize("NFKC", value or "").strip()
    for dash in "ー−‐―–—":
        value = value.replace(dash, "-")
    return value


class FacilityForm(forms.ModelForm):
    """The facility half of the application (事業所の登録申請)."""

    class Meta:
        model = Facility
        fields = FACILITY_FIELDS
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "facility_number": forms.TextInput(attrs={"inputmode": "numeric"}),
        }
        help_texts = {
            "facility_number": _(
                "介護保険事業所番号（10桁）または医療機関コード（7桁）。ない場合は空欄。"
            ),
            "phone": _("例: 0265-78-4111"),
            "postal_code": _("例: 396-8617"),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["name_kana"].required = True
        self.fields["facility_type"].choices = [("", _("選択してください")), *FacilityType.choices]
        # Room for full-width digits, hyphens and 〒 before they are folded; the model's own
        # length and format validators run on the folded value.
        for name in ("facility_number", "postal_code", "phone"):
            self.fields[name].max_length = 24
            self.fields[name].validators = []
            self.fields[name].widget.attrs["maxlength"] = "24"

    def clean_name_kana(self):
        value = self.cleaned_data["name_kana"]
        if not is_kana(value):
            raise ValidationError(_("事業所名（カナ）はカタカナまたはひらがなで入力してください。"))
        return to_katakana(value)

    def clean_facility_number(self):
        return _half_width(self.cleaned_data["facility_number"]).replace("-", "")

    def clean_phone(self):
        return _half_width(self.cleaned_data["phone"])

    def clean_postal_code(self):
        return _half_width(self.cleaned_data["postal_code"]).lstrip("〒")


class AccountForm(forms.Form):
    """A new professional's account: on the facility application (the admin) and on the
    invitation link (staff)."""

    username = forms.CharField(
        label=_("ログインID"),
        max_length=64,
        help_text=_("半角英数字と . _ @ - で3〜64文字。ログインに使います。"),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("パスワード"),
        strip=False,
        help_text=_("10文字以上。名前やログインIDに似たもの、数字だけのものは使えません。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )
    password_confirm = forms.CharField(
        label=_("パスワード（確認）"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )
    name = forms.CharField(label=_("氏名"), max_length=100)
    name_kana = forms.CharField(
        label=_("氏名（カナ）"), max_length=100, help_text=_("例: ヤマダ タロウ")
    )
    occupations = forms.ModelMultipleChoiceField(
        label=_("職種"),
        queryset=Occupation.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("職種を1つ以上選んでください。")},
    )
    email = forms.EmailField(
        label=_("メールアドレス"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("メールアドレスの形式が正しくありません。")},
    )

    def __init__(self, *args, email_required: bool = True, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["email"].required = email_required

    def clean_username(self):
        value = self.cleaned_data["username"].strip()
        for validator in User._meta.get_field("username").validators:
            validator(value)
        if User.objects.filter(username__iexact=value).exists():
            raise ValidationError(_("このログインIDは既に使われています。"))
        return value

    def clean_name_kana(self):
        value = self.cleaned_data["name_kana"]
        if not is_kana(value):
            raise ValidationError(_("氏名（カナ）はカタカナまたはひらがなで入力してください。"))
        return to_katakana(value)

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password and cleaned.get("password_confirm") != password:
            self.add_error("password_confirm", _("確認用のパスワードが一致しません。"))
        elif password:
            probe = User(
                username=cleaned.get("username", ""),
                name=cleaned.get("name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                password_validation.validate_password(password, user=probe)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned

    def to_account(self) -> NewAccount:
        data = self.cleaned_data
        return NewAccount(
            username=data["username"],
            password=data["password"],
            name=data["name"],
            name_kana=data["name_kana"],
            email=data.get("email") or "",
            occupations=list(data["occupations"]),
        )


class InvitationForm(forms.Form):
    note = forms.CharField(
        label=_("メモ（宛先など）"),
        max_length=200,
        required=False,
        help_text=_("誰に渡したリンクか分かるように。例: 4月入職の看護師"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def add_service_errors(error: ValidationError, *forms_: forms.Form) -> None:
    """Put a service's ValidationError back on the form that owns each field; errors without
    a field (or a field no form has) go to the first form's non-field errors."""
    if not hasattr(error, "error_dict"):
        forms_[0].add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        owner = next((f for f in forms_ if name in f.fields), None)
        if owner is None:
            forms_[0].add_error(None, errors)
        else:
            owner.add_error(name, errors)
