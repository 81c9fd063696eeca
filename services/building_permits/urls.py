app_name = "building_permits"

urlpatterns: list = []
