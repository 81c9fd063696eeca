app_name = "food_premises"

urlpatterns: list = []
