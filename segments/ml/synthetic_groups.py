"""The behavioural groups planted in the demo company, so that clustering has something real to find."""

from dataclasses import dataclass

import numpy as np

SOURCES = ("crm", "shop", "instagram", "x", "linkedin", "tiktok")
SOCIAL_PLATFORMS = ("instagram", "x", "linkedin", "tiktok")
EVENT_TYPES = ("view", "like", "comment", "share", "save", "click", "follow", "purchase")
BOT = "bot"


@dataclass(frozen=True)
class Behaviour:
    share: float  # of the human profiles
    sources: dict[str, float]  # which system the person's record comes from
    activity: float  # relative number of events per person
    channels: dict[str, float]  # platforms their events happen on
    event_types: dict[str, float]
    active_hours: tuple[tuple[float, float], ...]  # (hour of day, weight) peaks
    joined_days_ago: tuple[int, int]
    inactive_days: tuple[int, int]  # days between the last event and today
    purchase_amount: tuple[float, float]  # median and log-spread of a basket
    age: tuple[float, float]  # mean and spread
    sentiment: tuple[float, float, float]  # positive, neutral, negative comments
    marketing_consent: float


GROUPS: dict[str, Behaviour] = {
    "loyal_big_spenders": Behaviour(
        share=0.12,
        sources={"crm": 0.75, "shop": 0.25},
        activity=1.6,
        channels={"shop": 0.5, "instagram": 0.3, "x": 0.05, "linkedin": 0.05, "tiktok": 0.1},
        event_types={
            "view": 0.35,
            "purchase": 0.2,
            "click": 0.15,
            "like": 0.12,
            "save": 0.1,
            "comment": 0.05,
            "share": 0.03,
        },
        active_hours=((19.5, 0.5), (21.5, 0.3), (12.5, 0.2)),
        joined_days_ago=(365, 1095),
        inactive_days=(0, 10),
        purchase_amount=(95.0, 0.45),
        age=(48, 10),
        sentiment=(0.7, 0.25, 0.05),
        marketing_consent=0.88,
    ),
    "bargain_hunters": Behaviour(
        share=0.22,
        sources={"shop": 0.6, "crm": 0.4},
        activity=1.2,
        channels={"shop": 0.55, "instagram": 0.2, "tiktok": 0.15, "x": 0.1},
        event_types={"view": 0.38, "click": 0.3, "purchase": 0.1, "save": 0.12, "like": 0.08, "share": 0.02},
        active_hours=((12.5, 0.4), (23.0, 0.4), (8.0, 0.2)),
        joined_days_ago=(30, 1095),
        inactive_days=(0, 45),
        purchase_amount=(24.0, 0.4),
        age=(36, 12),
        sentiment=(0.4, 0.4, 0.2),
        marketing_consent=0.8,
    ),
    "social_engagers": Behaviour(
        share=0.22,
        sources={"instagram": 0.6, "tiktok": 0.3, "x": 0.1},
        activity=2.2,
        channels={"instagram": 0.55, "tiktok": 0.35, "x": 0.1},
        event_types={
            "like": 0.295,
            "comment": 0.25,
            "share": 0.2,
            "view": 0.15,
            "save": 0.07,
            "follow": 0.02,
            "click": 0.01,
            "purchase": 0.005,
        },
        active_hours=((21.0, 0.5), (23.5, 0.3), (17.0, 0.2)),
        joined_days_ago=(30, 900),
        inactive_days=(0, 5),
        purchase_amount=(30.0, 0.5),
        age=(24, 4),
        sentiment=(0.6, 0.3, 0.1),
        marketing_consent=0.65,
    ),
    "linkedin_professionals": Behaviour(
        share=0.14,
        sources={"linkedin": 0.7, "crm": 0.3},
        activity=1.0,
        channels={"linkedin": 0.75, "x": 0.15, "shop": 0.1},
        event_types={
            "view": 0.45,
            "click": 0.3,
            "like": 0.1,
            "share": 0.06,
            "comment": 0.04,
            "save": 0.03,
            "purchase": 0.02,
        },
        active_hours=((8.5, 0.45), (12.5, 0.3), (17.5, 0.25)),
        joined_days_ago=(60, 1095),
        inactive_days=(0, 20),
        purchase_amount=(70.0, 0.5),
        age=(38, 8),
        sentiment=(0.45, 0.5, 0.05),
        marketing_consent=0.6,
    ),
    "lapsed_customers": Behaviour(
        share=0.15,
        sources={"crm": 0.6, "shop": 0.4},
        activity=0.3,
        channels={"shop": 0.5, "instagram": 0.3, "x": 0.2},
        event_types={"view": 0.45, "purchase": 0.15, "click": 0.15, "like": 0.15, "comment": 0.1},
        active_hours=((20.0, 0.6), (13.0, 0.4)),
        joined_days_ago=(540, 1095),
        inactive_days=(180, 600),
        purchase_amount=(40.0, 0.5),
        age=(45, 14),
        sentiment=(0.2, 0.35, 0.45),
        marketing_consent=0.45,
    ),
    "new_followers": Behaviour(
        share=0.15,
        sources={"instagram": 0.5, "tiktok": 0.3, "x": 0.2},
        activity=0.5,
        channels={"instagram": 0.45, "tiktok": 0.35, "x": 0.2},
        event_types={"follow": 0.35, "view": 0.35, "like": 0.22, "save": 0.05, "comment": 0.03},
        active_hours=((18.0, 0.5), (22.0, 0.5)),
        joined_days_ago=(1, 60),
        inactive_days=(0, 10),
        purchase_amount=(28.0, 0.5),
        age=(27, 6),
        sentiment=(0.55, 0.4, 0.05),
        marketing_consent=0.7,
    ),
}

# Bots: tireless accounts on one social platform doing one thing at a fixed interval.
BOT_SOURCES = {"x": 0.5, "instagram": 0.3, "tiktok": 0.2}
BOT_EVENT_TYPES = ("like", "follow", "view")
BOT_ACTIVITY = 12.0
BOT_INTERVALS_SECONDS = (60, 120, 300, 600, 900)

GROUP_NAMES = (*GROUPS, BOT)


def choose(rng: np.random.Generator, options: tuple, size: int, p: np.ndarray | None = None) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=size, p=p)]


def probabilities(weights: dict[str, float], *, over: tuple[str, ...]) -> np.ndarray:
    """The weights as probabilities over `over`, in that order (missing names get zero)."""
    values = np.array([weights.get(name, 0.0) for name in over])
    return values / values.sum()


def hour_probabilities(peaks: tuple[tuple[float, float], ...], *, spread_hours: float = 1.5) -> np.ndarray:
    """24 probabilities: bumps around each peak hour, wrapping round midnight, over a small floor."""
    hours = np.arange(24)
    weights = np.full(24, 0.01)
    for peak, weight in peaks:
        distance = np.minimum(np.abs(hours - peak), 24 - np.abs(hours - peak))
        weights += weight * np.exp(-0.5 * (distance / spread_hours) ** 2)
    return weights / weights.sum()
