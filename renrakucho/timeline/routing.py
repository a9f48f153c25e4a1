from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/residents/<uuid:resident_uuid>/", consumers.ResidentTimelineConsumer.as_asgi()),
]
