"""A segment's suggested name, built from its card's facts, and the blocked-terms check for any name.

Blocked terms match whole words, case-insensitively: "poor" blocks "Poor spenders" and
"Instagram-poor buyers" (a hyphen ends a word) but not "Poorly served" or "poorer" (another word).
Admins who want a word's other forms blocked add them. A term of several words matches them in
order with any spacing ("big  spenders").
"""

import re
from collections.abc import Iterable
from typing import Any

from segments.ml.feature_words import difference_words, platform_name

RFM_ADJECTIVES = {
    "Champions": "champion",
    "Loyal": "loyal",
    "Potential": "promising",
    "New": "new",
    "At risk": "lapsing",
    "Cannot lose": "slipping",
    "Hibernating": "dormant",
    "Lost": "lapsed",
}
FALLBACK_NOUNS = ("customers", "people", "group")
# A channel leads a name when a segment puts this share of its engagement there, and more than the
# population does by this factor; the same thresholds for an interest.
LEADING_SHARE = 0.4
LEADING_LIFT = 1.25
INTEREST_SHARE = 0.3
INTEREST_LIFT = 1.5
CLEAR_DIFFERENCE = 0.5  # standardised difference at which a trait names the segment
BUYER_SHARE = 0.2  # under this share of buyers, a segment is named as followers, not customers


def name_allowed(name: str, blocked_terms: Iterable[str]) -> tuple[bool, str | None]:
    """(True, None), or (False, the first blocked term the name contains as a whole word)."""
    text = " ".join(name.split()).casefold()
    for term in blocked_terms:
        words = term.casefold().split()
        if not words:
            continue
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(word) for word in words) + r"(?!\w)"
        if re.search(pattern, text):
            return False, term
    return True, None


def suggested_name(card: dict[str, Any], blocked_terms: Iterable[str]) -> tuple[str, list[str]]:
    """A descriptive name ("Instagram-first loyal big spenders into travel") and the facts behind it.
    Parts holding a blocked term are left out; the result never contains one."""
    blocked = list(blocked_terms)
    prefix, adjective, noun, suffix, facts = _parts(card)

    def allowed(part: str | None) -> bool:
        return part is not None and name_allowed(part, blocked)[0]

    nouns = [noun, *FALLBACK_NOUNS]
    parts = [
        prefix if allowed(prefix) else None,
        adjective if allowed(adjective) else None,
        next((candidate for candidate in nouns if allowed(candidate)), None),
        suffix if allowed(suffix) else None,
    ]
    words = [part for part in parts if part]
    # Terms spanning two parts ("loyal big") are caught here: drop parts from the end until allowed.
    while words and not name_allowed(" ".join(words), blocked)[0]:
        words.pop()
    if not words:
        return "Segment", ["Every descriptive word for this segment is on the blocked list."]
    name = " ".join(words)
    return name[0].upper() + name[1:], facts


def trait_words(feature: str, card: dict[str, Any]) -> str:
    means = card["means"][feature]
    return difference_words(feature, means["segment"], means["population"])


def _parts(card: dict[str, Any]) -> tuple[str | None, str | None, str, str | None, list[str]]:
    facts: list[str] = []
    prefix = _channel_prefix(card, facts)
    adjective, noun = _core(card, facts)
    return prefix, adjective, noun, _interest_suffix(card, facts), facts


def _channel_prefix(card: dict[str, Any], facts: list[str]) -> str | None:
    channels = card["channel_mix"]["segment"]
    if not channels:
        return None
    platform, share = max(channels.items(), key=lambda pair: (pair[1], pair[0]))
    overall = card["channel_mix"]["population"].get(platform) or 0.0
    if share < LEADING_SHARE or share < LEADING_LIFT * overall:
        return None
    name = platform_name(platform)
    facts.append(f"{share:.0%} of their engagement is on {name} ({overall:.0%} overall)")
    return f"{name}-first"


def _core(card: dict[str, Any], facts: list[str]) -> tuple[str | None, str]:
    """(adjective, noun): followers by engagement, or customers by RFM group and spend."""
    differences = card["standardised_differences"]
    buyer_share = card["value"]["buyer_share"] or 0.0
    if buyer_share < BUYER_SHARE:
        facts.append(f"{buyer_share:.0%} have bought")
        engagement = differences.get("engagement_rate", differences.get("events_total", 0.0))
        if engagement >= CLEAR_DIFFERENCE:
            return None, "engaged fans"
        return None, "quiet followers" if engagement <= -CLEAR_DIFFERENCE else "followers"
    adjective = None
    mix = card["rfm_mix"]["segment"]
    if mix:
        group, share = max(mix.items(), key=lambda pair: (pair[1], pair[0]))
        if share >= LEADING_SHARE and group in RFM_ADJECTIVES:
            adjective = RFM_ADJECTIVES[group]
            facts.append(f"{share:.0%} are in the RFM group {group}")
    traits = (
        ("monetary", 1, "big spenders"),
        ("frequency", 1, "frequent buyers"),
        ("monetary", -1, "light buyers"),
    )
    for feature, sign, noun in traits:
        if sign * differences.get(feature, 0.0) >= CLEAR_DIFFERENCE:
            facts.append(f"{noun}: {trait_words(feature, card)}")
            return adjective, noun
    return adjective, "customers"


def _interest_suffix(card: dict[str, Any], facts: list[str]) -> str | None:
    for item in card["top_interests"]:
        if item["share"] >= INTEREST_SHARE and (item["lift"] or 0.0) >= INTEREST_LIFT:
            topic = item["topic"]
            facts.append(
                f"{item['share']:.0%} are interested in {topic}, {item['lift']:.1f} times the average"
            )
            return f"into {topic.replace('_', ' ')}"
    return None
