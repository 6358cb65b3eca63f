app_name = "meters"

urlpatterns: list = []
