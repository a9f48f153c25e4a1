from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/groups/<uuid:group_uuid>/", consumers.GroupBoardConsumer.as_asgi()),
]
