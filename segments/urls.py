from django.urls import path

from segments import views

app_name = "segments"

urlpatterns = [
    path("profiles/", views.profile_list_view, name="profile_list"),
    path("demo-data/", views.demo_data_view, name="demo_data"),
]
