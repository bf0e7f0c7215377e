from segments.views import demo_data, privacy, profiles

app_name = "segments"

urlpatterns = [*profiles.urlpatterns, *privacy.urlpatterns, *demo_data.urlpatterns]
