from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

api_v1 = [
    path("", include("governance.api")),
    path("", include("segments.api")),
    path("", include("personas.api")),
    path("", include("analytics.api")),
]

urlpatterns = [
    path("", include("analytics.urls")),
    path("", include("governance.urls")),
    path("audience/", include("segments.urls")),
    path("personas/", include("personas.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
]
