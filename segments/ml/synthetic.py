"""A believable fictional company at a chosen size: people, their identifiers and consents.

Everything is drawn from numpy's default_rng(seed), vectorised, so the same config gives the same
company. Events come from segments.ml.synthetic_events, in chunks.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from segments.ml.synthetic_groups import (
    BOT,
    BOT_ACTIVITY,
    BOT_SOURCES,
    GROUPS,
    SOCIAL_PLATFORMS,
    SOURCES,
    choose,
    probabilities,
)
from segments.ml.synthetic_identities import demo_consents, demo_identities
from segments.ml.synthetic_names import CITIES, FEMALE_NAMES, LAST_NAMES, MALE_NAMES

DAY = 86_400


@dataclass(frozen=True)
class DemoCompanyConfig:
    profiles: int = 20_000
    events: int = 200_000
    seed: int = 7
    as_of: datetime = field(default_factory=lambda: datetime(2026, 11, 1, tzinfo=UTC))
    bot_share: float = 0.01
    duplicate_share: float = 0.03
    chunk_rows: int = 1_000_000

    def __post_init__(self) -> None:
        if self.profiles < 0 or self.events < 0 or self.chunk_rows < 1:
            raise ValueError("Profiles and events cannot be negative, and chunks hold at least one row.")


@dataclass(frozen=True)
class DemoCompany:
    """Rows refer to people by their position in `profiles` (column `profile_index`)."""

    profiles: pd.DataFrame
    identities: pd.DataFrame
    consents: pd.DataFrame


def demo_company(*, config: DemoCompanyConfig) -> DemoCompany:
    rng = np.random.default_rng(config.seed)
    duplicates = round(config.profiles * config.duplicate_share)
    people = _people(rng=rng, count=config.profiles - duplicates, config=config)
    people = _with_duplicates(rng=rng, people=people, count=duplicates)
    people["event_count"] = _event_counts(rng=rng, people=people, total=config.events)
    people["external_id"] = "C" + pd.Series(np.arange(1, len(people) + 1)).astype(str).str.zfill(7)
    profiles = people.assign(
        created_at=pd.to_datetime(people["joined_s"], unit="s", utc=True),
        last_active_at=pd.to_datetime(people["last_active_s"], unit="s", utc=True),
    )
    identities = demo_identities(rng=rng, people=people)
    consents = demo_consents(rng=rng, people=people, as_of=int(config.as_of.timestamp()))
    columns = [
        "external_id",
        "source",
        "first_name",
        "last_name",
        "gender",
        "birth_year",
        "city",
        "country",
        "created_at",
        "planted_group",
        "is_bot",
        "duplicate_of",
        "event_count",
        "last_active_at",
        "joined_s",
        "last_active_s",
    ]
    return DemoCompany(profiles=profiles[columns], identities=identities, consents=consents)


def _people(*, rng: np.random.Generator, count: int, config: DemoCompanyConfig) -> pd.DataFrame:
    bots = round(count * config.bot_share)
    group_shares = np.array([behaviour.share for behaviour in GROUPS.values()])
    groups = np.concatenate(
        [choose(rng, tuple(GROUPS), count - bots, group_shares / group_shares.sum()), np.full(bots, BOT)]
    )
    groups = groups[rng.permutation(count)]
    source = np.empty(count, dtype=object)
    joined_days = np.empty(count)
    inactive_days = np.empty(count)
    age = np.empty(count)
    as_of = int(config.as_of.timestamp())
    for name, behaviour in [*GROUPS.items(), (BOT, None)]:
        members = np.flatnonzero(groups == name)
        size = len(members)
        if behaviour is None:  # bots: recent, young-looking accounts
            source[members] = choose(rng, SOURCES, size, probabilities(BOT_SOURCES, over=SOURCES))
            joined_days[members] = rng.uniform(20, 400, size)
            inactive_days[members] = rng.uniform(0, 2, size)
            age[members] = rng.normal(25, 3, size)
            continue
        source[members] = choose(rng, SOURCES, size, probabilities(behaviour.sources, over=SOURCES))
        joined_days[members] = rng.uniform(*behaviour.joined_days_ago, size)
        inactive_days[members] = rng.uniform(*behaviour.inactive_days, size)
        age[members] = rng.normal(*behaviour.age, size)

    gender = choose(rng, ("female", "male", "non_binary", ""), count, np.array([0.48, 0.47, 0.02, 0.03]))
    female = (gender == "female") | ((gender != "male") & (rng.random(count) < 0.5))
    first_name = np.where(female, choose(rng, FEMALE_NAMES, count), choose(rng, MALE_NAMES, count))
    city_shares = np.array([share for _, _, share in CITIES])
    cities = rng.choice(len(CITIES), size=count, p=city_shares / city_shares.sum())
    birth_year = pd.array(
        np.clip(np.round(config.as_of.year - age), 1930, config.as_of.year - 16), dtype="Int64"
    )
    # Social platforms rarely tell you a birth year.
    birth_year[np.isin(source, SOCIAL_PLATFORMS) & (rng.random(count) < 0.6)] = pd.NA
    joined = as_of - (joined_days * DAY).astype(np.int64)
    # The last activity is never before joining, even for long-lapsed customers.
    last_active = np.minimum(
        np.maximum(as_of - (inactive_days * DAY).astype(np.int64), joined + 14 * DAY), as_of
    )
    return pd.DataFrame(
        {
            "source": source,
            "first_name": first_name,
            "last_name": choose(rng, LAST_NAMES, count),
            "gender": gender,
            "birth_year": birth_year,
            "city": np.array([city for city, _, _ in CITIES], dtype=object)[cities],
            "country": np.array([country for _, country, _ in CITIES], dtype=object)[cities],
            "planted_group": groups,
            "is_bot": groups == BOT,
            "duplicate_of": np.full(count, -1),
            "joined_s": joined,
            "last_active_s": last_active,
        }
    )


def _with_duplicates(*, rng: np.random.Generator, people: pd.DataFrame, count: int) -> pd.DataFrame:
    """A second profile of the same person from a social platform, appended after everyone else."""
    eligible = np.flatnonzero(
        ~people["is_bot"].to_numpy() & people["source"].isin(["crm", "shop"]).to_numpy()
    )
    if len(eligible) < count:  # only in tiny companies
        eligible = np.arange(len(people))
    originals = rng.choice(eligible, size=count, replace=len(eligible) < count)
    copies = people.iloc[originals].copy()
    professional = copies["planted_group"].to_numpy() == "linkedin_professionals"
    social = choose(rng, ("instagram", "tiktok", "x"), len(copies), np.array([0.6, 0.25, 0.15]))
    copies["source"] = np.where(professional, "linkedin", social)
    copies["birth_year"] = pd.array([pd.NA] * len(copies), dtype="Int64")
    copies["duplicate_of"] = originals
    # They found the brand on social media some time after becoming a customer.
    joined = copies["joined_s"].to_numpy()
    copies["joined_s"] = joined + (rng.random(len(copies)) * (copies["last_active_s"].to_numpy() - joined))
    copies["joined_s"] = copies["joined_s"].astype(np.int64)
    return pd.concat([people, copies], ignore_index=True)


def _event_counts(*, rng: np.random.Generator, people: pd.DataFrame, total: int) -> np.ndarray:
    """Counts that add up to `total` exactly, in proportion to each person's (noisy) activity."""
    activity_by_group = {**{name: b.activity for name, b in GROUPS.items()}, BOT: BOT_ACTIVITY}
    activity = people["planted_group"].map(activity_by_group).to_numpy(dtype=float)
    activity = activity * rng.lognormal(0.0, 0.5, len(people))
    activity[people["duplicate_of"].to_numpy() >= 0] *= 0.5  # a second account sees part of the life
    if total == 0 or len(people) == 0:
        return np.zeros(len(people), dtype=np.int64)
    return rng.multinomial(total, activity / activity.sum())
