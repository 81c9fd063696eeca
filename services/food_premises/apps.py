from django.apps import AppConfig


class FoodPremisesConfig(AppConfig):
    name = "services.food_premises"
    label = "food_premises"
    verbose_name = "Food premises (สถานที่จำหน่ายอาหาร)"
