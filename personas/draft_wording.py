"""The words and small formats a drafted persona is written with."""

import re
from typing import Any

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def shares(counts: dict[Any, int], total: int) -> dict[Any, float]:
    return {key: value / total for key, value in counts.items() if total}


def ranked(values: dict[Any, float]) -> list[tuple[Any, float]]:
    return sorted(values.items(), key=lambda item: (-item[1], str(item[0])))


def percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def hour_label(hour: int) -> str:
    return f"{int(hour):02d}:00"


def channel_label(name: str) -> str:
    return {"x": "X", "crm": "CRM", "tiktok": "TikTok", "linkedin": "LinkedIn"}.get(name, name.capitalize())


def sentiment_word(mean: float) -> str:
    return "positive" if mean >= 0.05 else "negative" if mean <= -0.05 else "neutral"


def sentiment_figure(mean: float, counts: dict[str, int], people: int) -> str:
    commenters = sum(counts.values())
    positive, negative = (
        percent(counts.get(kind, 0) / (commenters or 1)) for kind in ("positive", "negative")
    )
    return (
        f"mean sentiment {mean:+.2f}; {positive} positive, {negative} negative; "
        f"{percent(commenters / (people or 1))} of them comment"
    )


def tone(mean: float) -> str:
    if mean >= 0.3:
        return "Warm and upbeat: they already speak well of us"
    if mean <= -0.05:
        return "Calm, direct and helpful: many of their comments are critical"
    return "Plain and informative"


def frequency(events_per_month: float) -> str:
    if events_per_month < 4:
        return "Weekly at most"
    if events_per_month < 15:
        return "Two or three times a week"
    return "Daily"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
