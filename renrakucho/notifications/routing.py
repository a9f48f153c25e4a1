from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/me/", consumers.MyNotificationsConsumer.as_asgi()),
]
