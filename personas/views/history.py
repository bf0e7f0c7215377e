"""A persona's versions with what changed between each and the one before, and the side-by-side
comparison of two or three personas."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from personas.diffing import snapshot_diff
from personas.overlap import persona_overlap_pairs
from personas.people_counts import persona_people
from personas.selectors import (
    VIEW,
    persona_get_for_user,
    persona_list,
    persona_versions,
)

COMPARE_MAX = 3
COMPARE_LISTS = (
    ("Goals", "goals"),
    ("Challenges and pain points", "challenges"),
    ("Motivations", "motivations"),
    ("Objections", "objections"),
    ("Decision triggers", "decision_triggers"),
)


@login_required
def persona_versions_view(request: HttpRequest, persona_id: int) -> HttpResponse:
    persona = persona_get_for_user(user=request.user, persona_id=persona_id)
    versions = list(persona_versions(persona=persona)[:100])
    history = [
        {
            "version": version,
            "changes": snapshot_diff(
                versions[index + 1].snapshot if index + 1 < len(versions) else None, version.snapshot
            ),
        }
        for index, version in enumerate(versions)
    ]
    return render(request, "personas/versions.html", {"persona": persona, "history": history})


@login_required
@permission_required(VIEW, raise_exception=True)
def persona_compare_view(request: HttpRequest) -> HttpResponse:
    """?ids=1&ids=2[&ids=3]: the personas side by side, and how many people each pair shares."""
    visible = persona_list(user=request.user)
    wanted = [int(value) for value in request.GET.getlist("ids") if value.isdigit()][:COMPARE_MAX]
    chosen = {persona.id: persona for persona in visible.filter(id__in=wanted)}
    personas = [chosen[persona_id] for persona_id in dict.fromkeys(wanted) if persona_id in chosen]
    context = {
        "personas": personas,
        "choices": list(visible.order_by("name").values_list("id", "name")),
        "people": persona_people(user=request.user, personas=personas),
        "overlaps": persona_overlap_pairs(user=request.user, personas=personas) if len(personas) >= 2 else [],
        "slots": [
            {"number": number, "selected": wanted[number - 1] if number <= len(wanted) else None}
            for number in range(1, COMPARE_MAX + 1)
        ],
        "compare_lists": COMPARE_LISTS,
    }
    return render(request, "personas/compare.html", context)
