from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/feed/", views.calendar_feed_view, name="calendar_feed"),
]
