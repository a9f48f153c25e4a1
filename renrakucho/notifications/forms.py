from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EmailPreference


class NotificationSettingForm(forms.Form):
    email = forms.ChoiceField(
        label=_("メール通知"),
        choices=EmailPreference.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "メールには件数とお知らせ一覧へのリンクだけが書かれます。"
            "支援対象者の氏名や記事の内容は送られません。"
        ),
        error_messages={
            "required": _("メール通知の受け取り方を選んでください。"),
            "invalid_choice": _("選べない受け取り方です。一覧から選んでください。"),
        },
    )
