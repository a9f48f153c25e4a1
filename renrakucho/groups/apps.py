from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "renrakucho.groups"
    verbose_name = _("グループ・掲示板")
