from segments.api import demo_data, privacy, profiles

urlpatterns = [*profiles.urlpatterns, *privacy.urlpatterns, *demo_data.urlpatterns]
