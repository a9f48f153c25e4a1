app_name = "facility_status"
urlpatterns: list = []
