from django.db.models import Exists, OuterRef, QuerySet

from segments.models import Identity, Profile, RowCount


def profile_list(*, search: str = "") -> QuerySet[Profile]:
    """Profiles, newest first; `search` matches a name or an exact identifier (email, phone, handle)."""
    profiles = Profile.objects.select_related("source").order_by("-id")
    search = search.strip()
    if not search:
        return profiles
    identifier = search.lower().lstrip("@")
    by_identity = Identity.objects.filter(profile=OuterRef("pk"), value=identifier)
    if " " in search:
        first, last = search.split(" ", 1)
        by_name = Profile.objects.filter(first_name__iexact=first, last_name__iexact=last.strip())
    else:
        by_name = Profile.objects.filter(last_name__iexact=search)
    return profiles.filter(Exists(by_identity) | Exists(by_name.filter(pk=OuterRef("pk"))))


def table_row_counts() -> dict[str, int]:
    """Row counts kept by triggers: cheap at any size, exact after every committed write."""
    return dict(RowCount.objects.values_list("table_name", "rows"))
