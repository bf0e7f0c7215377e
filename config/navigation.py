"""The menu: each area lists the pages a user's permissions open to them."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    permission: str | None = None


@dataclass(frozen=True)
class Area:
    label: str
    links: tuple[Link, ...]


AREAS = (
    Area("Home", (Link("Dashboard", "analytics:home"),)),
    Area(
        "Audience",
        (
            Link("Profiles", "segments:profile_list", "segments.view_profile"),
            Link("Sources and imports", "segments:source_list", "segments.view_datasource"),
            Link("Features", "segments:features", "segments.view_profile"),
            Link("Review matches", "segments:identity_review", "segments.change_profile"),
            Link("Merge history", "segments:identity_merges", "segments.change_profile"),
            Link("Identity settings", "segments:identity_settings", "segments.change_identifierpolicy"),
            Link("Demo data", "segments:demo_data", "segments.generate_demo_data"),
        ),
    ),
    Area(
        "Segments",
        (
            Link("Segments", "segments:segment_list", "segments.view_segment"),
            Link("Segmentations", "segments:segmentation_list", "segments.view_segmentation"),
        ),
    ),
    Area(
        "Personas",
        (
            Link("Personas", "personas:gallery", "personas.view_persona"),
            Link("Compare personas", "personas:compare", "personas.view_persona"),
        ),
    ),
    Area("Campaigns", (Link("Campaign calendar", "campaigns:calendar", "segments.view_event"),)),
    Area(
        "Governance",
        (
            Link("Approvals", "governance:approval_list", "governance.view_approvalrequest"),
            Link("Jobs", "governance:job_list", "governance.view_job"),
            Link("Audit log", "governance:audit_list", "governance.view_auditentry"),
            Link("Users", "admin:governance_user_changelist", "governance.change_user"),
        ),
    ),
    Area("API", (Link("API reference", "api_docs"),)),
)


def navigation_for(*, user, current_path: str) -> list[dict]:
    menu = []
    for area in AREAS:
        links = []
        for link in area.links:
            if link.permission and not user.has_perm(link.permission):
                continue
            url = reverse(link.url_name)
            links.append({"label": link.label, "url": url, "active": current_path == url})
        if links:
            menu.append({"label": area.label, "links": links, "active": any(x["active"] for x in links)})
    return menu
