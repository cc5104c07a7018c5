app_name = "foodsafety"

urlpatterns: list = []
