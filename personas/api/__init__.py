"""Routes of the personas API; the project mounts them under /api/v1/."""

from django.urls import path

from personas.api import personas, primary, quotes

urlpatterns = [
    path("personas/", personas.PersonaListApi.as_view(), name="api_personas"),
    path("personas/drafts/", personas.PersonaDraftApi.as_view(), name="api_persona_drafts"),
    path("personas/primary/counts/", primary.PrimaryPersonaCountsApi.as_view(), name="api_primary_counts"),
    path(
        "personas/primary/profiles/<int:profile_id>/",
        primary.PrimaryPersonaLookupApi.as_view(),
        name="api_primary_lookup",
    ),
    path("personas/primary/assign/", primary.PrimaryPersonaAssignApi.as_view(), name="api_primary_assign"),
    path("personas/<int:persona_id>/", personas.PersonaDetailApi.as_view(), name="api_persona"),
    path(
        "personas/<int:persona_id>/versions/",
        personas.PersonaVersionListApi.as_view(),
        name="api_persona_versions",
    ),
    path(
        "personas/<int:persona_id>/publish-request/",
        personas.PersonaPublishRequestApi.as_view(),
        name="api_persona_publish_request",
    ),
    path("personas/<int:persona_id>/quotes/", quotes.QuoteListApi.as_view(), name="api_persona_quotes"),
    path(
        "personas/<int:persona_id>/quotes/<int:quote_id>/",
        quotes.QuoteDetailApi.as_view(),
        name="api_persona_quote",
    ),
    path(
        "personas/<int:persona_id>/quotes/<int:quote_id>/keep/",
        quotes.QuoteKeepApi.as_view(),
        name="api_persona_quote_keep",
    ),
]
