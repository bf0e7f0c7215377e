import pytest
from django.core.exceptions import ValidationError

from governance.access import access_grant
from governance.models import AuditEntry
from personas import segment_evidence
from personas.models import PersonaStatus, Quote
from personas.services.drafts import persona_draft_from_segment
from personas.services.quotes import quote_keep
from segments.models import Consent, Segment
from tests.factories import ProfileFactory
from tests.personas.helpers import comment_by, consent_for, features_for, segment_with

pytestmark = pytest.mark.django_db

SAID = {
    "fan": "Ran my first half marathon in these and the running felt effortless, #marathon ready!",
    "private": "I would rather nobody quoted this comment about running shoes, thanks a lot.",
    "withdrawn": "Used to love the running club events but I stopped going this spring.",
    "bot": "Buy followers now cheap running shoes best price click the link in bio!!",
    "expired": "Running in the rain was fun, the jacket kept me dry for the whole loop.",
}


@pytest.fixture
def runners(marketer):
    """Five members with features; only "fan" consents to marketing now."""
    people = {name: ProfileFactory(country="GB", city="Leeds", birth_year=1990) for name in SAID}
    for name, profile in people.items():
        features_for(
            profile,
            is_bot=name == "bot",
            interests=["running"],
            rfm_group="Champions" if name == "fan" else "Loyal",
        )
        comment_by(profile, SAID[name])
    consent_for(people["fan"])
    consent_for(people["bot"])
    consent_for(people["private"], purpose="personalisation")  # not marketing: not quotable
    consent_for(people["withdrawn"], granted=False)
    consent_for(people["expired"], expires_in_days=-1)
    outsider = ProfileFactory()
    comment_by(outsider, "Not a member of the segment, so never a quote for this persona, surely.")
    consent_for(outsider)
    return segment_with(marketer, "Weekend runners", people.values()), people


def test_one_action_drafts_a_persona_from_the_segments_evidence(marketer, runners):
    segment, _ = runners
    persona = persona_draft_from_segment(segment=segment, actor=marketer)
    assert persona.status == PersonaStatus.DRAFT and persona.owner == marketer
    assert list(persona.segments.all()) == [segment]
    assert persona.personasegment_set.get().size_when_linked == 5
    assert persona.summary.startswith("5 people")
    assert persona.preferred_channels[0] == {"channel": "instagram", "share": 0.7}
    assert persona.content_preferences["best_days"] == ["Wednesday"]
    assert persona.content_preferences["hashtags"] == ["#marathon"]
    assert persona.motivations == ["Interested in running (100% of members)"]
    assert "Leeds (100%)" in persona.demographics_summary
    assert "80% with features" in persona.bio  # the bot is left out of the figures
    assert "Champions 25%" in persona.bio
    for key in ("summary", "bio", "preferred_channels", "content_preferences.formats", "motivations"):
        assert persona.evidence[key]["figure"]
        assert persona.evidence[key]["source"]["segment_id"] == segment.id
    assert AuditEntry.objects.filter(action="persona.drafted", subject_id=str(persona.id)).exists()
    assert persona.versions.count() == 1


def test_candidate_quotes_come_only_from_consenting_human_members(marketer, runners):
    segment, people = runners
    persona = persona_draft_from_segment(segment=segment, actor=marketer)
    (quote,) = Quote.objects.filter(persona=persona)
    assert quote.is_candidate and quote.profile == people["fan"] and quote.text == SAID["fan"]
    assert quote.source == Quote.Source.SOCIAL_COMMENT and quote.consent_confirmed
    assert "mentions running, marathon" in persona.evidence["quotes"][str(quote.id)]


def test_members_of_a_sensitive_segment_are_not_quoted_to_someone_they_are_hidden_from(marketer, runners):
    segment, _ = runners
    Segment.objects.filter(id=segment.id).update(sensitivity="sensitive")
    segment.refresh_from_db()
    persona = persona_draft_from_segment(segment=segment, actor=marketer)
    assert not persona.quotes.exists()
    assert "not shared with you" in persona.evidence["quotes_withheld"]["figure"]

    access_grant(actor=marketer, grantee=marketer, perm="segments.view_members", obj=segment)
    assert persona_draft_from_segment(segment=segment, actor=marketer).quotes.count() == 1


def test_keeping_a_candidate_checks_consent_again(marketer, runners):
    segment, people = runners
    persona = persona_draft_from_segment(segment=segment, actor=marketer)
    quote = persona.quotes.get()
    Consent.objects.filter(profile=people["fan"]).update(granted=False)
    with pytest.raises(ValidationError, match="withdrawn consent"):
        quote_keep(quote=quote, actor=marketer)
    assert not Quote.objects.filter(id=quote.id).exists()


def test_kept_candidate_joins_the_record_and_its_history(marketer, runners):
    segment, _ = runners
    persona = persona_draft_from_segment(segment=segment, actor=marketer)
    quote_keep(quote=persona.quotes.get(), actor=marketer)
    latest = persona.versions.order_by("-number").first()
    assert latest.number == 2 and latest.change_summary == "Suggested quote kept"
    assert SAID["fan"] in latest.snapshot["quotes"][0]


def test_a_segment_without_members_cannot_be_drafted(marketer):
    empty = Segment.objects.create(name="Not built", kind="rule", owner=marketer)
    with pytest.raises(ValidationError, match="no members yet"):
        persona_draft_from_segment(segment=empty, actor=marketer)


def test_comments_on_a_profile_merged_into_a_member_count_for_the_member(marketer, people):
    member, absorbed = people[0], people[1]
    absorbed.merged_into = member
    absorbed.save()
    features_for(member)
    consent_for(member)
    comment_by(absorbed, "Posted from my old account: loving the running route suggestions here.")
    segment = segment_with(marketer, "One person", [member])
    persona = persona_draft_from_segment(segment=segment, actor=marketer)
    # Found through the member, kept as the words of the profile that wrote them.
    assert persona.quotes.get().profile == absorbed


def test_a_large_segment_is_read_through_a_uniform_sample(marketer, monkeypatch):
    people = ProfileFactory.create_batch(40)
    for profile in people:
        features_for(profile)
    monkeypatch.setattr(segment_evidence, "SAMPLE_SIZE", 10)
    evidence = segment_evidence.segment_evidence(segment=segment_with(marketer, "Big", people))
    assert evidence.members == 40 and 0 < evidence.sampled < 40
    assert evidence.with_features == evidence.sampled
    assert evidence.channel_mix == pytest.approx({"instagram": 0.7, "email": 0.3})


@pytest.mark.parametrize("sample_size", [50_000, 2])
def test_a_profile_merged_into_another_member_since_the_version_counts_once(
    marketer, sample_size, monkeypatch
):
    monkeypatch.setattr(segment_evidence, "SAMPLE_SIZE", sample_size)
    crm, instagram = ProfileFactory(country="GB"), ProfileFactory(country="GB")
    others = ProfileFactory.create_batch(3, country="FR")
    for profile in (crm, instagram, *others):
        features_for(profile, monetary=100.0)
    comment_by(instagram, "Loving the #trailrun this morning")
    segment = segment_with(marketer, "Runners", [crm, instagram, *others])
    instagram.merged_into = crm  # the two are found to be one person after the version was built
    instagram.save()

    evidence = segment_evidence.segment_evidence(segment=segment)

    assert evidence.members == 4
    if sample_size > 5:
        assert evidence.with_features == 4 and evidence.monetary_total == 400.0
        assert dict(evidence.countries) == {"FR": 3, "GB": 1}
        assert evidence.hashtags == [("trailrun", 1)]
