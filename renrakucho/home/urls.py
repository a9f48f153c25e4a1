from django.urls import path

from . import views

# Mounted at the site root: the dashboard (ホーム) is "/".
app_name = "home"
urlpatterns = [path("", views.dashboard, name="dashboard")]
