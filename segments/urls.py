from segments.views import demo_data, features, identity, imports, privacy, profiles, segments

app_name = "segments"

urlpatterns = [
    *profiles.urlpatterns,
    *privacy.urlpatterns,
    *demo_data.urlpatterns,
    *identity.urlpatterns,
    *features.urlpatterns,
    *segments.urlpatterns,
    *imports.urlpatterns,
]
