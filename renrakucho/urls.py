from django.contrib import admin
from django.urls import include, path

from renrakucho.api.urls import api

urlpatterns = [
    path("", include("renrakucho.core.urls")),
    # The dashboard (ホーム) is "/", resident pages under /residents/.
    path("", include("renrakucho.home.urls")),
    path("", include("renrakucho.residents.urls")),
    # The timeline: /residents/<uuid>/timeline/, /posts/<uuid>/, /attachments/<uuid>/.
    path("", include("renrakucho.timeline.urls")),
    path("accounts/", include("renrakucho.accounts.urls")),
    path("facilities/", include("renrakucho.facilities.urls")),
    path("console/", include("renrakucho.console.urls")),
    path("notices/", include("renrakucho.notices.urls")),
    path("notifications/", include("renrakucho.notifications.urls")),
    path("groups/", include("renrakucho.groups.urls")),
    path("chat/", include("renrakucho.chat.urls")),
    path("facility-status/", include("renrakucho.facility_status.urls")),
    path("meetings/", include("renrakucho.meetings.urls")),
    path("agreements/", include("renrakucho.agreements.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
