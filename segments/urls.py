from segments.views import (
    clustering,
    demo_data,
    features,
    identity,
    imports,
    privacy,
    profiles,
    segment_export,
    segments,
)

app_name = "segments"

urlpatterns = [
    *profiles.urlpatterns,
    *privacy.urlpatterns,
    *demo_data.urlpatterns,
    *identity.urlpatterns,
    *features.urlpatterns,
    *segments.urlpatterns,
    *segment_export.urlpatterns,
    *imports.urlpatterns,
    *clustering.urlpatterns,
]
