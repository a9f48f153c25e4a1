# Websocket routes are added by the realtime features (timeline, chat); none yet.
websocket_urlpatterns: list = []
