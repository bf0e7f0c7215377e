"""The four roles and the model permissions each holds, as "app_label.codename" strings, so that
governance names other apps' permissions without importing their models."""

VIEWER = "Viewer"
MARKETER = "Marketer"
MANAGER = "Manager"
ADMIN = "Admin"
ROLES = (MARKETER, MANAGER, ADMIN, VIEWER)

_READ_AUDIENCE = [
    "segments.view_segment",
    "segments.view_segmentation",
    "segments.view_datasource",
    "segments.view_profile",
    "segments.view_identity",
    "segments.view_event",
    "segments.view_consent",
    "personas.view_persona",
]
_WORK_ON_AUDIENCE = [
    "segments.add_datasource",
    "segments.change_datasource",
    "segments.add_profile",
    "segments.change_profile",
    "segments.add_consent",
    "segments.change_consent",
    "segments.add_segment",
    "segments.change_segment",
    "segments.add_segmentation",
    "segments.change_segmentation",
    "personas.add_persona",
    "governance.view_job",
    "governance.add_job",
    "governance.view_approvalrequest",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    VIEWER: [*_READ_AUDIENCE],
    MARKETER: [*_READ_AUDIENCE, *_WORK_ON_AUDIENCE],
    MANAGER: [
        *_READ_AUDIENCE,
        *_WORK_ON_AUDIENCE,
        "governance.change_job",
        "segments.export_profile",
        "segments.share_members",
        "personas.approve_persona",
    ],
    ADMIN: [
        *_READ_AUDIENCE,
        *_WORK_ON_AUDIENCE,
        "governance.change_job",
        "governance.view_auditentry",
        "governance.view_user",
        "governance.add_user",
        "governance.change_user",
        "governance.view_team",
        "governance.add_team",
        "governance.change_team",
        "segments.generate_demo_data",
        "segments.export_profile",
        "segments.erase_profile",
        "segments.change_identifierpolicy",
        "segments.view_blockedidentifier",
        "segments.add_blockedidentifier",
        "segments.change_blockedidentifier",
        "segments.delete_blockedidentifier",
        "personas.change_persona",
        "personas.delete_persona",
        "personas.approve_persona",
    ],
}
