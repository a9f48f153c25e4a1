"""REST API v1 (django-ninja). OpenAPI at /api/v1/openapi.json.

Every operation except POST /auth/token needs `Authorization: Bearer <token>`. The same
access rules as the pages apply: a resident out of reach is 404, a missing write right 403.
No operation relies on a cookie, so none needs a CSRF token.
"""

from django.conf import settings
from ninja import NinjaAPI

from . import errors
from .auth import ApiTokenAuth
from .routers import (
    agreements,
    audit,
    auth,
    chat,
    consents,
    facility_status,
    groups,
    me,
    medications,
    meetings,
    notices,
    notifications,
    residents,
    team,
    timeline,
    users,
    vitals,
)

api = NinjaAPI(
    title="renrakucho API",
    version="1",
    description="在宅医療介護連携プラットフォームのREST API（v1）。",
    urls_namespace="api",
    auth=ApiTokenAuth(),
    # Swagger UI (/api/v1/docs) only from ninja's own static files, which needs "ninja" in
    # INSTALLED_APPS; without it ninja would load the UI from a CDN with an inline script,
    # which the CSP (and the no-CDN rule) forbids.
    docs_url="/docs" if "ninja" in settings.INSTALLED_APPS else None,
)
errors.install(api)

api.add_router("/auth", auth.router)
api.add_router("/me", me.router)
api.add_router("/residents", residents.router)
# Team and consent paths sit under /residents/{id}/… and /team-invitations/…; their routers
# carry the full paths so that each path's methods live in one router.
api.add_router("/", team.router)
api.add_router("/", consents.router)
api.add_router("/audit", audit.router)
# The timeline, vitals, the medication and disease lists, notices and notifications: full
# paths in each router, as for the team (/residents/{id}/posts, /posts/{id}, …).
api.add_router("/", timeline.router)
api.add_router("/", vitals.router)
api.add_router("/", medications.router)
api.add_router("/", notices.router)
api.add_router("/", notifications.router)
# Issue 4: the directory of professionals, chat, groups and boards, facility status, meetings
# (full paths in each router: /users, /conversations/{id}/…, /groups/{id}/…, /threads/{id}/…).
api.add_router("/", users.router)
api.add_router("/", chat.router)
api.add_router("/", groups.router)
api.add_router("/", facility_status.router)
api.add_router("/", meetings.router)
# Issue 5: Agreements between Networks (広域連携) and the cross-Network directory.
api.add_router("/", agreements.router)
