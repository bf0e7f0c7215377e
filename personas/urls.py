from django.urls import path

from personas.views import edit, evidence, exports, gallery, history, lifecycle

app_name = "personas"

urlpatterns = [
    path("", gallery.persona_gallery_view, name="gallery"),
    path("new/", edit.persona_create_view, name="persona_create"),
    path("compare/", history.persona_compare_view, name="compare"),
    path("export.csv", exports.persona_gallery_export_view, {"file_format": "csv"}, name="gallery_csv"),
    path("export.json", exports.persona_gallery_export_view, {"file_format": "json"}, name="gallery_json"),
    path("from-segment/<int:segment_id>/", edit.persona_draft_view, name="draft_from_segment"),
    path("<int:persona_id>/", gallery.persona_detail_view, name="persona_detail"),
    path("<int:persona_id>/overlap/", gallery.persona_overlap_view, name="persona_overlap"),
    path("<int:persona_id>/edit/", edit.persona_edit_view, name="persona_edit"),
    path("<int:persona_id>/review/", edit.persona_review_view, name="persona_review"),
    path("<int:persona_id>/versions/", history.persona_versions_view, name="persona_versions"),
    path("<int:persona_id>/avatar.svg", exports.persona_avatar_view, name="persona_avatar"),
    path(
        "<int:persona_id>/export.json",
        exports.persona_export_view,
        {"file_format": "json"},
        name="persona_json",
    ),
    path(
        "<int:persona_id>/export.csv", exports.persona_export_view, {"file_format": "csv"}, name="persona_csv"
    ),
    path(
        "<int:persona_id>/card.pdf", exports.persona_export_view, {"file_format": "pdf"}, name="persona_pdf"
    ),
    path("<int:persona_id>/publish/", lifecycle.persona_publish_request_view, name="persona_publish_request"),
    path("<int:persona_id>/withdraw/", lifecycle.persona_withdraw_view, name="persona_withdraw"),
    path("<int:persona_id>/retire/", lifecycle.persona_retire_view, name="persona_retire"),
    path("<int:persona_id>/merge/", lifecycle.persona_merge_view, name="persona_merge"),
    path("<int:persona_id>/owner/", lifecycle.persona_reassign_view, name="persona_reassign"),
    path("<int:persona_id>/quotes/", evidence.quote_add_view, name="quote_add"),
    path("<int:persona_id>/quotes/<int:quote_id>/keep/", evidence.quote_keep_view, name="quote_keep"),
    path("<int:persona_id>/quotes/<int:quote_id>/remove/", evidence.quote_remove_view, name="quote_remove"),
    path("<int:persona_id>/validations/", evidence.validation_add_view, name="validation_add"),
    path(
        "<int:persona_id>/validations/<int:validation_id>/remove/",
        evidence.validation_remove_view,
        name="validation_remove",
    ),
]
