from segments.api import demo_data, features, identity, imports, privacy, profiles, segments

urlpatterns = [
    *profiles.urlpatterns,
    *privacy.urlpatterns,
    *demo_data.urlpatterns,
    *identity.urlpatterns,
    *features.urlpatterns,
    *segments.urlpatterns,
    *imports.urlpatterns,
]
