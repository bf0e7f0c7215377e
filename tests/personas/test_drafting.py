"""The pure parts: drafting text from evidence, choosing quotes, diffing snapshots, drawing avatars."""

from personas.avatar import avatar_for, avatar_svg, initials
from personas.diffing import snapshot_diff
from personas.drafting import CandidateComment, SegmentEvidence, draft_content, representative_comments


def evidence(**values) -> SegmentEvidence:
    base = {
        "segment_id": 7,
        "segment_name": "Weekend runners",
        "version_number": 3,
        "members": 1000,
        "with_features": 800,
        "computed_at": "2026-11-01T10:00:00+00:00",
        "monetary_total": 80_000.0,
        "monetary_mean": 100.0,
        "clv_mean": 240.0,
        "events_30d_mean": 6.0,
        "sentiment_mean": 0.35,
        "sentiment_counts": {"positive": 300, "neutral": 100, "negative": 50},
        "rfm_mix": {"Champions": 200, "Loyal": 200, "At risk": 160, "New": 240},
        "channel_mix": {"instagram": 0.62, "email": 0.35, "x": 0.03},
        "format_affinity": {"video": 0.7, "image": 0.3},
        "peak_hours": {19: 500, 8: 300},
        "peak_weekdays": {5: 600, 6: 200},
        "interests": [("running", 640), ("nutrition", 200)],
        "hashtags": [("marathon", 90), ("parkrun", 40)],
        "countries": [("GB", 900)],
        "cities": [("Leeds", 300)],
        "age_median": 34.0,
        "ages_known": 700,
    }
    return SegmentEvidence(**{**base, **values})


def test_a_draft_fills_fields_each_with_the_figure_it_came_from():
    draft = draft_content(evidence())
    assert draft.fields["name"] == "Weekend runners"
    assert draft.fields["summary"].startswith("1,000 people, 50% champions or loyal")
    assert draft.fields["preferred_channels"] == [
        {"channel": "instagram", "share": 0.62},
        {"channel": "email", "share": 0.35},
    ]  # X is below 5% and left out, but stays in the figure
    assert "X 3%" in draft.evidence["preferred_channels"]["figure"]
    assert draft.fields["content_preferences"]["best_days"] == ["Saturday", "Sunday"]
    assert draft.fields["content_preferences"]["best_hours"][0] == "19:00"
    assert draft.fields["content_preferences"]["hashtags"] == ["#marathon", "#parkrun"]
    assert draft.fields["motivations"][0] == "Interested in running (80% of members)"
    assert "Median age 34" not in draft.fields["demographics_summary"]
    assert "median age 34" in draft.fields["demographics_summary"]
    assert "20% are at risk" in draft.fields["journey_notes"]["retention"]
    for key, entry in draft.evidence.items():
        assert entry["figure"], key
        assert entry["source"] == {
            "segment_id": 7,
            "segment": "Weekend runners",
            "version": 3,
            "members": 1000,
            "read": 1000,
            "computed_at": "2026-11-01T10:00:00+00:00",
        }


def test_figures_from_a_sample_say_so():
    draft = draft_content(evidence(sampled=250))
    assert draft.evidence["bio"]["figure"] == (
        "Spend, value and RFM group over a random sample of 250 of the 1,000 members, bots left out"
    )
    assert "about 80,000 spent in all" in draft.fields["bio"]
    assert draft.evidence["summary"]["source"]["read"] == 250


def test_fields_without_data_stay_empty_and_have_no_evidence():
    draft = draft_content(
        evidence(channel_mix={}, hashtags=[], sentiment_mean=None, sentiment_counts={}, ages_known=3)
    )
    assert "preferred_channels" not in draft.fields and "preferred_channels" not in draft.evidence
    assert "hashtags" not in draft.fields["content_preferences"]
    assert "content_preferences.tone" not in draft.evidence
    assert "median age" not in draft.fields["demographics_summary"]  # too few known ages to describe


def comment(event_id, profile_id, text, sentiment=0.3):
    return CandidateComment(event_id, profile_id, text, "2026-10-01", "instagram", sentiment)


def test_quotes_prefer_comments_on_the_segments_interests_one_per_person():
    comments = [
        comment(1, 10, "Lovely shop, friendly staff and quick delivery every single time I order."),
        comment(2, 11, "Training for my first #marathon and these shoes make running feel easy."),
        comment(3, 11, "Running again today, running is my thing and these shoes are perfect."),
        comment(4, 12, "Not sure about the new colours this season, but the fit is fine."),
    ]
    chosen = representative_comments(comments, keywords=["running", "marathon"], mean=0.3, limit=2)
    assert [item.event_id for item, _ in chosen] == [2, 1]
    assert "mentions running, marathon" in chosen[0][1]
    assert "author's sentiment +0.30 against the segment's +0.30" in chosen[0][1]


def test_a_diff_reads_field_by_field_with_list_items_added_and_removed():
    before = {
        "name": "Runners",
        "goals": ["Finish a 10k", "Stay injury-free"],
        "content_preferences": {"tone": "Warm"},
    }
    after = {
        "name": "Weekend runners",
        "goals": ["Finish a 10k", "Run a marathon"],
        "content_preferences": {"tone": "Warm", "formats": ["video"]},
        "preferred_channels": [{"channel": "instagram", "share": 0.6}],
    }
    changes = {change.label: change for change in snapshot_diff(before, after)}
    assert (changes["Name"].before, changes["Name"].after) == ("Runners", "Weekend runners")
    assert changes["Goals"].added == ["Run a marathon"] and changes["Goals"].removed == ["Stay injury-free"]
    assert changes["Content preferences: formats"].added == ["video"]
    assert changes["Preferred channels"].added == ["instagram (60%)"]
    assert "Content preferences: tone" not in changes
    assert snapshot_diff(after, after) == []


def test_avatars_are_drawn_locally_the_same_for_the_same_name():
    assert initials("weekend runners") == "WR" and initials("Ana") == "AN" and initials("  ") == "?"
    assert avatar_for("Weekend runners") == avatar_for("weekend runners ")
    assert avatar_for("Weekend runners").background != avatar_for("Busy parents").background
    svg = avatar_svg('<script>"x"</script>', 48)
    assert svg.startswith("<svg") and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
