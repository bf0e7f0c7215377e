"""From a segment's evidence to a draft persona: which fields are filled, with which text, and the
figure each one came from. Pure code over plain data (no Django), so it is tested on its own."""

import re
from dataclasses import dataclass, field
from typing import Any

from personas.draft_wording import (
    WEEKDAYS,
    channel_label,
    frequency,
    hour_label,
    percent,
    ranked,
    sentiment_figure,
    sentiment_word,
    shares,
    slug,
    tone,
)

LOYAL_GROUPS = ("Champions", "Loyal")
LAPSING_GROUPS = ("At risk", "Cannot lose", "Hibernating", "Lost")
MIN_CHANNEL_SHARE = 0.05
MIN_PEOPLE_FOR_AGE = 10  # fewer known ages than this and a median would describe individuals


@dataclass(frozen=True)
class CandidateComment:
    event_id: int
    profile_id: int
    text: str
    said_on: str  # ISO date
    platform: str
    author_sentiment: float | None


@dataclass(frozen=True)
class SegmentEvidence:
    """Aggregates over the members of one segment version (bots left out of the feature figures)."""

    segment_id: int
    segment_name: str
    version_number: int
    members: int
    with_features: int
    computed_at: str
    sampled: int = 0  # members read: all of them, or a uniform sample of a large segment
    monetary_total: float = 0.0
    monetary_mean: float = 0.0
    clv_mean: float = 0.0
    events_30d_mean: float = 0.0
    sentiment_mean: float | None = None
    sentiment_counts: dict[str, int] = field(default_factory=dict)
    rfm_mix: dict[str, int] = field(default_factory=dict)
    channel_mix: dict[str, float] = field(default_factory=dict)
    format_affinity: dict[str, float] = field(default_factory=dict)
    peak_hours: dict[int, int] = field(default_factory=dict)
    peak_weekdays: dict[int, int] = field(default_factory=dict)
    interests: list[tuple[str, int]] = field(default_factory=list)
    hashtags: list[tuple[str, int]] = field(default_factory=list)
    countries: list[tuple[str, int]] = field(default_factory=list)
    cities: list[tuple[str, int]] = field(default_factory=list)
    age_median: float | None = None
    ages_known: int = 0
    comments: list[CandidateComment] = field(default_factory=list)
    quotes_withheld: str = ""  # why no comments were offered, when they were not

    @property
    def read(self) -> int:
        return self.sampled or self.members

    @property
    def basis(self) -> str:
        """Over whom the figures were computed, as the evidence states it."""
        if self.read < self.members:
            return f"a random sample of {self.read:,} of the {self.members:,} members"
        return f"the {self.members:,} members"


@dataclass
class DraftContent:
    fields: dict[str, Any]
    evidence: dict[str, dict[str, Any]]
    quotes: list[tuple[CandidateComment, str]]  # the comment and the figure behind choosing it


def draft_content(evidence: SegmentEvidence) -> DraftContent:
    source = {
        "segment_id": evidence.segment_id,
        "segment": evidence.segment_name,
        "version": evidence.version_number,
        "members": evidence.members,
        "read": evidence.read,
        "computed_at": evidence.computed_at,
    }
    draft = DraftContent(fields={"name": evidence.segment_name[:120]}, evidence={}, quotes=[])

    def fill(name: str, value: Any, figure: str) -> None:
        if value in (None, "", [], {}):
            return
        head, _, key = name.partition(".")
        if key:
            draft.fields.setdefault(head, {})[key] = value
        else:
            draft.fields[name] = value
        draft.evidence[name] = {"figure": figure, "source": source}

    people = evidence.with_features or 1
    rfm = shares(evidence.rfm_mix, people)
    channels = ranked(evidence.channel_mix)
    formats = ranked(evidence.format_affinity)
    hours = ranked(shares(evidence.peak_hours, people))
    days = ranked(shares(evidence.peak_weekdays, people))
    loyal = sum(rfm.get(group, 0.0) for group in LOYAL_GROUPS)
    lapsing = sum(rfm.get(group, 0.0) for group in LAPSING_GROUPS)
    mood = (
        ""
        if evidence.sentiment_mean is None
        else sentiment_figure(evidence.sentiment_mean, evidence.sentiment_counts, people)
    )
    size_figure = (
        f"{evidence.members:,} members in version {evidence.version_number} of “{evidence.segment_name}”"
    )

    summary = [f"{evidence.members:,} people"]
    if evidence.rfm_mix:
        summary.append(f"{percent(loyal)} champions or loyal")
    if channels:
        summary.append(f"most engaged on {channel_label(channels[0][0])}")
    if hours:
        summary.append(f"around {hour_label(hours[0][0])}")
    fill("summary", ", ".join(summary)[:300], size_figure)

    bio = [
        f"Drawn from segment “{evidence.segment_name}” ({evidence.members:,} members; "
        f"{percent(evidence.with_features / (evidence.read or 1))} with features)."
    ]
    bio.append(
        f"Mean spend {evidence.monetary_mean:,.2f} and mean lifetime value {evidence.clv_mean:,.2f}; "
        f"{'about ' if evidence.read < evidence.members else ''}{evidence.monetary_total:,.0f} spent in all."
    )
    if rfm:
        bio.append(
            "RFM mix: " + ", ".join(f"{name} {percent(share)}" for name, share in ranked(rfm)[:4]) + "."
        )
    if evidence.sentiment_mean is not None:
        bio.append(f"Their comments lean {sentiment_word(evidence.sentiment_mean)} ({mood}).")
    fill(
        "bio",
        " ".join(bio),
        f"Spend, value and RFM group over {evidence.basis}, bots left out",
    )

    fill("demographics_summary", *demographics(evidence))
    fill(
        "preferred_channels",
        [
            {"channel": name, "share": round(share, 3)}
            for name, share in channels
            if share >= MIN_CHANNEL_SHARE
        ][:5],
        "Mean share of engagement per platform: "
        + ", ".join(f"{channel_label(name)} {percent(share)}" for name, share in channels[:5]),
    )
    fill(
        "content_preferences.formats",
        [name for name, share in formats if share >= MIN_CHANNEL_SHARE][:3],
        "Mean format affinity: " + ", ".join(f"{name} {percent(share)}" for name, share in formats[:4]),
    )
    fill(
        "content_preferences.best_days",
        [WEEKDAYS[day] for day, _ in days[:2] if 0 <= day < 7],
        "Busiest weekday per person: "
        + ", ".join(f"{WEEKDAYS[day]} {percent(s)}" for day, s in days[:3] if 0 <= day < 7),
    )
    fill(
        "content_preferences.best_hours",
        [hour_label(hour) for hour, _ in hours[:3]],
        "Busiest hour per person: "
        + ", ".join(f"{hour_label(hour)} {percent(share)}" for hour, share in hours[:3]),
    )
    if evidence.sentiment_mean is not None:
        fill("content_preferences.tone", tone(evidence.sentiment_mean), mood)
    if evidence.with_features:
        fill(
            "content_preferences.frequency",
            frequency(evidence.events_30d_mean),
            f"{evidence.events_30d_mean:.1f} interactions per person in the last 30 days, on average",
        )
    fill(
        "content_preferences.hashtags",
        [f"#{tag}" for tag, _ in evidence.hashtags[:5]],
        "Share of members using each hashtag in comments: "
        + ", ".join(
            f"#{tag} {percent(count / (evidence.read or 1))}" for tag, count in evidence.hashtags[:5]
        ),
    )
    top_interests = evidence.interests[:3]
    fill(
        "motivations",
        [f"Interested in {name} ({percent(count / people)} of members)" for name, count in top_interests],
        "Share of members with each interest: "
        + ", ".join(f"{name} {percent(count / people)}" for name, count in evidence.interests[:5]),
    )
    if channels:
        where = channel_label(channels[0][0]) + (f" with {formats[0][0]}" if formats else "")
        when = f", {WEEKDAYS[days[0][0]]}s around {hour_label(hours[0][0])}" if days and hours else ""
        fill(
            "journey_notes.awareness",
            f"Reach them on {where}{when}.",
            draft.evidence["preferred_channels"]["figure"],
        )
    if rfm:
        fill(
            "journey_notes.retention",
            f"{percent(lapsing)} are at risk, hibernating or lost; {percent(loyal)} are champions or loyal.",
            "RFM mix: " + ", ".join(f"{name} {percent(share)}" for name, share in ranked(rfm)),
        )
    tags = [slug(evidence.segment_name)]
    if rfm:
        tags.append("rfm-" + slug(ranked(rfm)[0][0]))
    tags += [slug(name) for name, _ in top_interests]
    fill(
        "crm_tags",
        [tag[:60] for tag in dict.fromkeys(tags) if tag],
        "The segment, its largest RFM group and top interests",
    )

    keywords = [name.lower() for name, _ in evidence.interests[:5]] + [
        tag.lower() for tag, _ in evidence.hashtags[:5]
    ]
    draft.quotes = representative_comments(evidence.comments, keywords=keywords, mean=evidence.sentiment_mean)
    return draft


def representative_comments(
    comments: list[CandidateComment], *, keywords: list[str], mean: float | None, limit: int = 5
) -> list[tuple[CandidateComment, str]]:
    """One comment per person, preferring those that name the segment's interests or hashtags, whose
    author's sentiment is near the segment's mean, and of a readable length."""

    def mentions(comment: CandidateComment) -> list[str]:
        text = comment.text.lower()
        return [word for word in keywords if word and re.search(rf"(?<!\w)#?{re.escape(word)}(?!\w)", text)]

    def score(comment: CandidateComment) -> float:
        closeness = 1 - min(abs((comment.author_sentiment or 0) - (mean or 0)), 1)
        readable = 1 - min(abs(len(comment.text) - 140) / 140, 1)
        return 2 * len(mentions(comment)) + closeness + readable

    chosen, people = [], set()
    for comment in sorted(comments, key=lambda item: (-score(item), item.event_id)):
        if comment.profile_id in people:
            continue
        people.add(comment.profile_id)
        found = mentions(comment)
        figure = f"Comment on {channel_label(comment.platform)}, {comment.said_on}"
        if comment.author_sentiment is not None and mean is not None:
            figure += (
                f"; author's sentiment {comment.author_sentiment:+.2f} against the segment's {mean:+.2f}"
            )
        if found:
            figure += "; mentions " + ", ".join(found)
        chosen.append((comment, figure))
        if len(chosen) == limit:
            break
    return chosen


def demographics(evidence: SegmentEvidence) -> tuple[str, str]:
    parts, figures = [], []
    if evidence.countries:
        parts.append(
            "Mostly in "
            + ", ".join(f"{code} ({percent(n / evidence.read)})" for code, n in evidence.countries[:3])
        )
        figures.append("country of each member")
    if evidence.cities:
        parts.append(
            "top cities "
            + ", ".join(f"{city} ({percent(n / evidence.read)})" for city, n in evidence.cities[:3])
        )
        figures.append("city")
    if evidence.age_median is not None and evidence.ages_known >= MIN_PEOPLE_FOR_AGE:
        known = percent(evidence.ages_known / evidence.read)
        parts.append(f"median age {evidence.age_median:.0f} ({known} with a birth year)")
        figures.append("birth year")
    text = "; ".join(parts)
    return (
        text[:1].upper() + text[1:] + "." if text else ""
    ), f"From the {', '.join(figures)} of {evidence.basis}"
