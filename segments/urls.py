from segments.views import demo_data, profiles

app_name = "segments"

urlpatterns = [*profiles.urlpatterns, *demo_data.urlpatterns]
