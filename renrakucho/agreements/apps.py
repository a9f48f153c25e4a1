from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "renrakucho.agreements"
    verbose_name = _("広域連携協定")
