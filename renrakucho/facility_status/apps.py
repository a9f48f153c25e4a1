from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilityStatusConfig(AppConfig):
    name = "renrakucho.facility_status"
    verbose_name = _("事業所の運営状況")
