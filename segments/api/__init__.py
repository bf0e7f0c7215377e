from segments.api import demo_data, profiles

urlpatterns = [*profiles.urlpatterns, *demo_data.urlpatterns]
