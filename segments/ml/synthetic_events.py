"""The demo company's events, in chunks small enough that ten million never sit in memory at once."""

from collections.abc import Iterator

import numpy as np
import pandas as pd

from segments.ml.synthetic import DemoCompanyConfig
from segments.ml.synthetic_groups import (
    BOT,
    BOT_EVENT_TYPES,
    BOT_INTERVALS_SECONDS,
    EVENT_TYPES,
    GROUP_NAMES,
    GROUPS,
    SOURCES,
    choose,
    hour_probabilities,
    probabilities,
)

EVENT_COLUMNS = [
    "profile_index",
    "source",
    "platform",
    "event_type",
    "occurred_at",
    "amount",
    "text",
    "content_format",
    "utm_source",
    "utm_medium",
    "campaign_code",
]
CAMPAIGN_CODES = (
    "spring-sale-2026",
    "summer-drop-2026",
    "back-to-school-2026",
    "autumn-new-in-2026",
    "black-friday-2026",
    "loyalty-club",
)
CONTENT_FORMATS = {
    "instagram": ("image", "reel", "carousel", "story", "video"),
    "tiktok": ("video",),
    "x": ("image", "video", "article"),
    "linkedin": ("article", "image", "video", "carousel"),
}
NOUNS = ("jacket", "trainers", "dress", "backpack", "scarf", "coat", "bag", "jumper", "boots", "sunglasses")
HASHTAGS = (
    "#ootd",
    "#style",
    "#newin",
    "#sale",
    "#sustainablefashion",
    "#workwear",
    "#giftideas",
    "#weekendvibes",
    "#autumn2026",
    "#musthave",
)
WORDS = {
    "positive": ("gorgeous", "amazing", "brilliant", "perfect", "stunning", "great", "lovely", "fantastic"),
    "negative": ("terrible", "awful", "poor", "flimsy", "disappointing", "bad", "horrible"),
    "neutral": ("new", "blue", "black", "autumn", "limited", "classic"),
}
TEMPLATES = {
    "positive": (
        "Absolutely love this {noun}! {tag}",
        "The {noun} is {word}, best purchase this year {tag}",
        "So happy with my new {noun}, {word} quality {tag} {tag2}",
        "This {noun} looks {word} 😍 {tag}",
        "{Word}! Need this {noun} in every colour {tag}",
    ),
    "negative": (
        "Really disappointed, the {noun} arrived damaged {tag}",
        "{Word} quality, my {noun} fell apart after a week",
        "Worst customer service ever, still waiting for my {noun}",
        "The {noun} is {word} and way overpriced {tag}",
        "Hate that the {noun} sold out again, {word} stock planning",
    ),
    "neutral": (
        "Does the {noun} come in other colours? {tag}",
        "What size is the model wearing in the {noun} photo?",
        "When will the {word} {noun} be back in stock?",
        "Saw the {word} {noun} in the new collection {tag}",
        "Is the {noun} available in stores or online only? {tag}",
    ),
}
SENTIMENTS = ("positive", "neutral", "negative")
COMMENTS_PER_SENTIMENT = 500


def demo_event_chunks(*, profiles: pd.DataFrame, config: DemoCompanyConfig) -> Iterator[pd.DataFrame]:
    """Each profile's events in one chunk; a chunk holds at most config.chunk_rows rows (unless one
    person alone has more)."""
    counts = profiles["event_count"].to_numpy()
    comments = _comment_bank(rng=np.random.default_rng([config.seed, 1]))
    ends = np.cumsum(counts)
    start = 0
    while start < len(profiles):
        rows_before = ends[start - 1] if start else 0
        stop = max(int(np.searchsorted(ends, rows_before + config.chunk_rows, side="right")), start + 1)
        rng = np.random.default_rng([config.seed, 2, start])
        chunk = _events(rng=rng, profiles=profiles.iloc[start:stop], first_index=start, comments=comments)
        if len(chunk):
            yield chunk
        start = stop


def _events(
    *, rng: np.random.Generator, profiles: pd.DataFrame, first_index: int, comments: dict[str, np.ndarray]
) -> pd.DataFrame:
    counts = profiles["event_count"].to_numpy()
    owner = np.repeat(np.arange(len(profiles)), counts)  # position within this chunk
    size = len(owner)
    group = pd.Categorical(profiles["planted_group"], categories=GROUP_NAMES).codes[owner]
    event_type = np.empty(size, dtype=object)
    platform = np.empty(size, dtype=object)
    hour = np.empty(size, dtype=np.int64)
    for code, name in enumerate(GROUP_NAMES):
        rows = np.flatnonzero(group == code)
        if name == BOT or not len(rows):
            continue
        behaviour = GROUPS[name]
        event_type[rows] = choose(
            rng, EVENT_TYPES, len(rows), probabilities(behaviour.event_types, over=EVENT_TYPES)
        )
        platform[rows] = choose(rng, SOURCES, len(rows), probabilities(behaviour.channels, over=SOURCES))
        hour[rows] = rng.choice(24, size=len(rows), p=hour_probabilities(behaviour.active_hours))

    joined = profiles["joined_s"].to_numpy()[owner]
    last_active = profiles["last_active_s"].to_numpy()[owner]
    moment = joined + (rng.random(size) * (last_active - joined)).astype(np.int64)
    moment = moment - moment % 86_400 + hour * 3_600 + rng.integers(0, 3_600, size)
    occurred = np.clip(moment, joined, last_active)
    # Each person's last event falls on their last active day, so recency is as planted.
    last_rows = (np.cumsum(counts) - 1)[counts > 0]
    final = last_active[last_rows] - rng.integers(0, 3_600, len(last_rows))
    occurred[last_rows] = np.maximum(final, joined[last_rows])

    # A second account of someone only sees what happens on its own platform.
    duplicate = profiles["duplicate_of"].to_numpy()[owner] >= 0
    own_platform = profiles["source"].to_numpy()[owner]
    platform[duplicate] = own_platform[duplicate]
    event_type[duplicate & (event_type == "purchase")] = "like"

    bots = np.flatnonzero(group == GROUP_NAMES.index(BOT))
    event_type[bots], platform[bots], occurred[bots] = _bot_events(
        rng=rng, profiles=profiles, owner=owner, rows=bots
    )
    platform[event_type == "purchase"] = "shop"

    frame = pd.DataFrame(
        {
            "profile_index": owner + first_index,
            "source": platform,
            "platform": platform,
            "event_type": event_type,
            "occurred_at": pd.to_datetime(occurred, unit="s", utc=True),
            "amount": _amounts(rng=rng, event_type=event_type, group=group),
            "text": _texts(rng=rng, event_type=event_type, group=group, comments=comments),
            "content_format": _formats(rng=rng, platform=platform, event_type=event_type),
        }
    )
    return pd.concat([frame, _utm(rng=rng, platform=platform, event_type=event_type)], axis=1)[EVENT_COLUMNS]


def _bot_events(
    *, rng: np.random.Generator, profiles: pd.DataFrame, owner: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Event type, platform and time of the bots' `rows`: one type and one platform per bot, at a
    fixed interval that ends at its last activity."""
    counts = profiles["event_count"].to_numpy()
    their_type = choose(rng, BOT_EVENT_TYPES, len(profiles))
    interval = rng.choice(BOT_INTERVALS_SECONDS, size=len(profiles))
    begins = profiles["last_active_s"].to_numpy() - (counts - 1) * interval
    whose = owner[rows]
    rank = rows - (np.cumsum(counts) - counts)[whose]  # 0 for a bot's first event, 1 for its next...
    return their_type[whose], profiles["source"].to_numpy()[whose], begins[whose] + rank * interval[whose]


def _amounts(*, rng: np.random.Generator, event_type: np.ndarray, group: np.ndarray) -> np.ndarray:
    amounts = np.full(len(event_type), np.nan)
    purchases = event_type == "purchase"
    for code, name in enumerate(GROUP_NAMES):
        rows = np.flatnonzero(purchases & (group == code))
        if name != BOT and len(rows):
            median, spread = GROUPS[name].purchase_amount
            amounts[rows] = np.round(rng.lognormal(np.log(median), spread, len(rows)), 2)
    return amounts


def _texts(
    *, rng: np.random.Generator, event_type: np.ndarray, group: np.ndarray, comments: dict[str, np.ndarray]
) -> np.ndarray:
    texts = np.full(len(event_type), "", dtype=object)
    is_comment = event_type == "comment"
    for code, name in enumerate(GROUP_NAMES):
        rows = np.flatnonzero(is_comment & (group == code))
        if name == BOT or not len(rows):
            continue
        sentiment = rng.choice(len(SENTIMENTS), size=len(rows), p=np.array(GROUPS[name].sentiment))
        for index, mood in enumerate(SENTIMENTS):
            chosen = rows[sentiment == index]
            texts[chosen] = comments[mood][rng.integers(0, len(comments[mood]), len(chosen))]
    return texts


def _comment_bank(*, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A few hundred distinct comments per sentiment, drawn once and reused."""
    bank = {}
    for mood in SENTIMENTS:
        texts = set()
        for _ in range(COMMENTS_PER_SENTIMENT):
            word = str(rng.choice(WORDS[mood]))
            tag, tag2 = rng.choice(HASHTAGS, size=2, replace=False)
            template = TEMPLATES[mood][rng.integers(len(TEMPLATES[mood]))]
            text = template.format(
                noun=rng.choice(NOUNS), word=word, Word=word.capitalize(), tag=tag, tag2=tag2
            )
            texts.add(text)
        bank[mood] = np.array(sorted(texts), dtype=object)
    return bank


def _formats(*, rng: np.random.Generator, platform: np.ndarray, event_type: np.ndarray) -> np.ndarray:
    formats = np.full(len(platform), "", dtype=object)
    for name, options in CONTENT_FORMATS.items():
        rows = np.flatnonzero((platform == name) & (event_type != "follow"))
        formats[rows] = choose(rng, options, len(rows))
    return formats


def _utm(*, rng: np.random.Generator, platform: np.ndarray, event_type: np.ndarray) -> pd.DataFrame:
    """Clicks come from a campaign: social posts, paid social, or the newsletter for shop clicks."""
    size = len(platform)
    utm_source = np.full(size, "", dtype=object)
    utm_medium = np.full(size, "", dtype=object)
    campaign = np.full(size, "", dtype=object)
    clicks = np.flatnonzero(event_type == "click")
    from_shop = platform[clicks] == "shop"
    utm_source[clicks] = np.where(from_shop, "newsletter", platform[clicks])
    paid = rng.random(len(clicks)) < 0.4
    utm_medium[clicks] = np.where(from_shop, "email", np.where(paid, "paid_social", "social"))
    campaign[clicks] = choose(rng, CAMPAIGN_CODES, len(clicks))
    return pd.DataFrame({"utm_source": utm_source, "utm_medium": utm_medium, "campaign_code": campaign})
