"""Websocket routes of every app, assembled here (an entry point like urls.py) so that no
lower layer has to import the features that own the consumers."""

from renrakucho.chat.routing import websocket_urlpatterns as chat_routes
from renrakucho.groups.routing import websocket_urlpatterns as group_routes
from renrakucho.notifications.routing import websocket_urlpatterns as notification_routes
from renrakucho.timeline.routing import websocket_urlpatterns as timeline_routes

websocket_urlpatterns = [*timeline_routes, *notification_routes, *chat_routes, *group_routes]
