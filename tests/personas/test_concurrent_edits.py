"""Two people editing one persona: the second to save is told, and nothing of theirs overwrites the first."""

import pytest

from personas.models import Persona
from personas.services.records import PersonaChangedMeanwhile, persona_update
from tests.personas.helpers import persona_of
from tests.races import race


def test_a_save_based_on_an_old_version_is_refused_and_changes_nothing(db, marketer, admin):
    persona = persona_of(marketer, summary="First words")
    read_by_both = persona.versions.count()
    persona_update(
        persona=persona, actor=admin, data={"summary": "Admin's words"}, based_on_version=read_by_both
    )
    with pytest.raises(PersonaChangedMeanwhile, match="saved this persona"):
        persona_update(
            persona=Persona.objects.get(id=persona.id),
            actor=marketer,
            data={"summary": "Marketer's words"},
            based_on_version=read_by_both,
        )
    assert Persona.objects.get(id=persona.id).summary == "Admin's words"


def test_the_edit_form_tells_the_second_editor(db, marketer, admin, login):
    persona = persona_of(marketer, summary="First words")
    form_page = login(marketer).get(f"/personas/{persona.id}/edit/").content.decode()
    version = persona.versions.count()
    assert f'name="based_on_version" value="{version}"' in form_page
    persona_update(persona=persona, actor=admin, data={"summary": "Admin's words"})
    response = login(marketer).post(
        f"/personas/{persona.id}/edit/",
        {
            "name": persona.name,
            "summary": "Marketer's words",
            "priority": 100,
            "refresh_cycle_days": 90,
            "based_on_version": version,
        },
    )
    assert response.status_code == 200 and "since you opened it" in response.content.decode()
    assert Persona.objects.get(id=persona.id).summary == "Admin's words"


def test_the_api_answers_409_to_a_stale_patch(db, marketer, admin, login):
    persona = persona_of(marketer)
    read = login(marketer).get(f"/api/v1/personas/{persona.id}/").json()["version"]
    persona_update(persona=persona, actor=admin, data={"summary": "Admin's words"})
    response = login(marketer).patch(
        f"/api/v1/personas/{persona.id}/",
        {"summary": "Mine", "based_on_version": read},
        content_type="application/json",
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
    fresh = login(marketer).get(f"/api/v1/personas/{persona.id}/").json()["version"]
    ok = login(marketer).patch(
        f"/api/v1/personas/{persona.id}/",
        {"summary": "Mine", "based_on_version": fresh},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["summary"] == "Mine"


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_keep_exactly_one(marketer, admin):
    persona = persona_of(marketer)
    version = persona.versions.count()

    def save(actor, words):
        return lambda: persona_update(
            persona=Persona.objects.get(id=persona.id),
            actor=actor,
            data={"summary": words},
            based_on_version=version,
        )

    outcomes = race(save(marketer, "Marketer's words"), save(admin, "Admin's words"))
    refused = [outcome for outcome in outcomes if isinstance(outcome, PersonaChangedMeanwhile)]
    assert len(refused) == 1
    kept = Persona.objects.get(id=persona.id).summary
    assert kept in ("Marketer's words", "Admin's words") and persona.versions.count() == version + 1
