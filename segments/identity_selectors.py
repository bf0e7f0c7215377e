"""Reads for identity resolution: the configured policy (with defaults), the review queue, merge
history, a person's identities, and the frames the resolve job feeds to segments/ml (read by COPY)."""

import io
from dataclasses import dataclass

import pandas as pd
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from governance.models import User
from segments import defaults
from segments.models import (
    BlockedIdentifier,
    IdentifierPolicy,
    Identity,
    IdentityKind,
    MatchCandidate,
    Profile,
    ProfileMerge,
    SourceKind,
)

# The survivor of a merge is the profile from the most trusted kind of source (a CRM record first),
# and among equals the older profile (the lower id).
SURVIVOR_SOURCE_ORDER = (
    SourceKind.CRM,
    SourceKind.EMAIL,
    SourceKind.SURVEY,
    SourceKind.WEB,
    SourceKind.ADS,
    SourceKind.SOCIAL,
)
HANDLE_KINDS = (IdentityKind.INSTAGRAM, IdentityKind.X, IdentityKind.LINKEDIN, IdentityKind.TIKTOK)


@dataclass(frozen=True)
class PolicyRow:
    kind: str
    label: str
    priority: int
    merges: bool


def identifier_policy_list() -> list[PolicyRow]:
    """Every identifier kind in trust order; kinds without a stored row fall back on the defaults."""
    stored = {policy.kind: policy for policy in IdentifierPolicy.objects.all()}
    rows = []
    for kind, label in IdentityKind.choices:
        if kind in stored:
            rows.append(PolicyRow(kind, label, stored[kind].priority, stored[kind].merges))
        else:
            order = defaults.IDENTIFIER_PRIORITY
            priority = order.index(kind) + 1 if kind in order else len(order) + 1
            rows.append(PolicyRow(kind, label, priority, True))
    return sorted(rows, key=lambda row: (row.priority, row.kind))


def blocked_identifier_list() -> QuerySet[BlockedIdentifier]:
    return BlockedIdentifier.objects.order_by("kind", "value")


def blocked_identifier_get_for_user(*, user: User, blocked_id: int, perm: str) -> BlockedIdentifier:
    if not user.has_perm(perm):
        raise Http404("No such blocked value.")
    try:
        return BlockedIdentifier.objects.get(id=blocked_id)
    except BlockedIdentifier.DoesNotExist as missing:
        raise Http404("No such blocked value.") from missing


def source_rank_sql(column: str) -> str:
    """A SQL expression ranking a data source kind by SURVIVOR_SOURCE_ORDER (constants, not input)."""
    cases = " ".join(f"WHEN '{kind.value}' THEN {rank}" for rank, kind in enumerate(SURVIVOR_SOURCE_ORDER))
    return f"CASE {column} {cases} ELSE {len(SURVIVOR_SOURCE_ORDER)} END"


def source_rank(kind: str) -> int:
    order = [source.value for source in SURVIVOR_SOURCE_ORDER]
    return order.index(kind) if kind in order else len(order)


def match_candidate_list(*, status: str = MatchCandidate.Status.PENDING) -> QuerySet[MatchCandidate]:
    """The queue, strongest first; each side's profile, source and identities come along."""
    return (
        MatchCandidate.objects.filter(status=status)
        .select_related("profile_a__source", "profile_b__source", "decided_by")
        .prefetch_related("profile_a__identities", "profile_b__identities")
        .order_by("-score", "-id")
    )


def match_candidate_get_for_user(*, user: User, candidate_id: int) -> MatchCandidate:
    """A candidate for a user who may review; anyone else is told it does not exist."""
    if not user.has_perm("segments.change_profile"):
        raise Http404("No such candidate.")
    try:
        return MatchCandidate.objects.select_related("profile_a", "profile_b").get(id=candidate_id)
    except MatchCandidate.DoesNotExist as missing:
        raise Http404("No such candidate.") from missing


def profile_merge_list() -> QuerySet[ProfileMerge]:
    return ProfileMerge.objects.select_related("survivor__source", "absorbed__source", "decided_by").order_by(
        "-id"
    )


def profile_merge_get_for_user(*, user: User, merge_id: int) -> ProfileMerge:
    if not user.has_perm("segments.change_profile"):
        raise Http404("No such merge.")
    try:
        return profile_merge_list().get(id=merge_id)
    except ProfileMerge.DoesNotExist as missing:
        raise Http404("No such merge.") from missing


def profile_get_for_user(*, user: User, profile_id: int) -> Profile:
    if not (user.has_perm("segments.view_profile") and user.has_perm("segments.view_identity")):
        raise Http404("No such profile.")
    try:
        return Profile.objects.select_related("source").get(id=profile_id)
    except Profile.DoesNotExist as missing:
        raise Http404("No such profile.") from missing


def person_identity_list(*, profile: Profile) -> QuerySet[Identity]:
    """The identities of the person a profile belongs to: its canonical profile and all merged into it."""
    canonical_id = profile.merged_into_id or profile.id
    return (
        Identity.objects.filter(Q(profile_id=canonical_id) | Q(profile__merged_into_id=canonical_id))
        .select_related("profile__source")
        .order_by("kind", "value", "profile_id")
    )


def _copy_frame(sql: str, params: list, dtypes: dict[str, str]) -> pd.DataFrame:
    """A query's rows as a frame, through COPY: far faster than fetching a million rows one by one."""
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
        buffer = io.StringIO()
        cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)", buffer)
    buffer.seek(0)
    return pd.read_csv(buffer, dtype=dtypes, keep_default_na=False, na_values={"birth_year": [""]})


def identity_link_frame(*, kinds: dict[str, int]) -> pd.DataFrame:
    """person (the canonical profile), kind, value, priority for every identifier of a merging kind
    that is not blocked; and rank, the person's survivor rank."""
    if not kinds:
        return pd.DataFrame({"person": [], "kind": [], "value": [], "priority": [], "rank": []})
    frame = _copy_frame(
        f"""
        SELECT COALESCE(p.merged_into_id, p.id) AS person, i.kind, i.value,
               {source_rank_sql("s.kind")} AS rank
        FROM segments_identity i
        JOIN segments_profile p ON p.id = i.profile_id
        JOIN segments_profile c ON c.id = COALESCE(p.merged_into_id, p.id)
        JOIN segments_datasource s ON s.id = c.source_id
        WHERE i.kind = ANY(%s)
          AND NOT EXISTS (
              SELECT 1 FROM segments_blockedidentifier b WHERE b.kind = i.kind AND b.value = i.value
          )
        """,
        [list(kinds)],
        {"person": "int64", "kind": "str", "value": "str", "rank": "int64"},
    )
    frame["priority"] = frame["kind"].map(kinds).astype("int64")
    return frame


def cannot_link_frame() -> pd.DataFrame:
    """Pairs of people someone said are not one person: undone merges and rejected candidates."""
    return _copy_frame(
        """
        SELECT COALESCE(x.merged_into_id, x.id) AS a, COALESCE(y.merged_into_id, y.id) AS b
        FROM (
            SELECT survivor_id AS one, absorbed_id AS other FROM segments_profilemerge
            WHERE undone_at IS NOT NULL
            UNION SELECT profile_a_id, profile_b_id FROM segments_matchcandidate WHERE status = %s
        ) pairs
        JOIN segments_profile x ON x.id = pairs.one
        JOIN segments_profile y ON y.id = pairs.other
        """,
        [MatchCandidate.Status.REJECTED],
        {"a": "int64", "b": "int64"},
    )


def people_frame() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Canonical people (id, first_name, last_name, city, birth_year) and their handles (id, handle)
    on any platform and the name parts of their emails, their merged profiles' included."""
    people = _copy_frame(
        "SELECT id, first_name, last_name, city, birth_year FROM segments_profile"
        " WHERE merged_into_id IS NULL",
        [],
        {"id": "int64", "first_name": "str", "last_name": "str", "city": "str"},
    )
    # An email's name part counts as a handle: people reuse it on social platforms.
    handles = _copy_frame(
        """
        SELECT DISTINCT COALESCE(p.merged_into_id, p.id) AS id,
               CASE WHEN i.kind = 'email' THEN split_part(i.value, '@', 1) ELSE i.value END AS handle
        FROM segments_identity i JOIN segments_profile p ON p.id = i.profile_id
        WHERE i.kind = ANY(%s)
        """,
        [[kind.value for kind in (*HANDLE_KINDS, IdentityKind.EMAIL)]],
        {"id": "int64", "handle": "str"},
    )
    return people, handles
