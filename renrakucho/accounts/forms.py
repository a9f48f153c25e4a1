import unicodedata

from django import forms
from django.contrib.auth import authenticate
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .backends import LOGIN_REFUSED_ATTR


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # Japanese labels take no trailing colon
        super().__init__(*args, **kwargs)


class LoginForm(_Form):
    """Login ID + password. `clean()` authenticates through the configured backends (django-axes
    first, so a locked-out ID is refused even with the right password)."""

    username = forms.CharField(
        label=_("ログインID"),
        max_length=64,
        error_messages={"required": _("ログインIDを入力してください。")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "autocorrect": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )
    password = forms.CharField(
        label=_("パスワード"),
        strip=False,
        error_messages={"required": _("パスワードを入力してください。")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("ログインIDまたはパスワードが正しくありません。"),
        "refused": _(
            "利用できる所属がないため、ログインできません。"
            "事業所の管理者またはネットワークの運営者にお問い合わせください。"
        ),
    }

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean_username(self):
        # Phones often type full-width letters (ｐ－ｎｕｒｓｅ); login IDs are half-width.
        return unicodedata.normalize("NFKC", self.cleaned_data["username"]).strip()

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            self.user = authenticate(self.request, username=username, password=password)
            if self.user is None:
                # Only said after the backend verified the password (see backends.py).
                if getattr(self.request, LOGIN_REFUSED_ATTR, False):
                    raise forms.ValidationError(self.error_messages["refused"], code="refused")
                raise forms.ValidationError(
                    self.error_messages["invalid_login"], code="invalid_login"
                )
        return self.cleaned_data


class OtpCodeForm(_Form):
    """A 6-digit code from an authenticator app. Spaces and full-width digits are accepted."""

    code = forms.CharField(
        label=_("確認コード（6桁）"),
        max_length=20,
        error_messages={
            "required": _("認証アプリに表示されている6桁の確認コードを入力してください。")
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
            }
        ),
    )

    def __init__(self, *args, autofocus: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if autofocus:
            self.fields["code"].widget.attrs["autofocus"] = True

    def clean_code(self):
        code = unicodedata.normalize("NFKC", self.cleaned_data["code"]).replace(" ", "")
        RegexValidator(r"^\d{6}$", _("確認コードは6桁の数字で入力してください。"), code="format")(
            code
        )
        return code


class ApiTokenForm(_Form):
    name = forms.CharField(
        label=_("トークンの名前（用途）"),
        max_length=100,
        help_text=_("例: 事業所の記録システム連携"),
        error_messages={
            "required": _("用途が分かる名前を入力してください。"),
            "max_length": _("名前は100文字以内で入力してください。"),
        },
    )
