"""What the demo company's people are known by (emails, phones, handles) and what they agreed to."""

import numpy as np
import pandas as pd

from segments.ml.synthetic_groups import BOT, GROUP_NAMES, GROUPS, SOCIAL_PLATFORMS, choose

DAY = 86_400
EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.co.uk", "icloud.com", "hotmail.com", "proton.me")
# E.164 prefix of a mobile number per country, and how many digits follow it.
MOBILE_PREFIXES = {
    "GB": ("+447", 9),
    "IE": ("+35387", 7),
    "US": ("+1415", 7),
    "DE": ("+49151", 8),
    "FR": ("+336", 8),
}
CONSENT_PURPOSES = ("marketing", "personalisation", "analytics")


def demo_identities(*, rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    count = len(people)
    source = people["source"].to_numpy()
    groups = people["planted_group"].to_numpy()
    is_bot = people["is_bot"].to_numpy()
    duplicate_of = people["duplicate_of"].to_numpy()
    is_duplicate = duplicate_of >= 0
    # A unique number per person keeps unrelated people's identifiers apart; a duplicate reuses its
    # original's number, which is what makes the pair findable.
    suffix = pd.Series(np.where(is_duplicate, duplicate_of, np.arange(count)) + 1).astype(str)
    first = people["first_name"].str.lower()
    last = people["last_name"].str.lower()
    email = first + "." + last + suffix + "@" + choose(rng, EMAIL_DOMAINS, count)
    email[is_duplicate] = email.to_numpy()[duplicate_of[is_duplicate]]

    style = rng.integers(0, 3, count)
    handle = pd.Series(
        np.select(
            [style == 0, style == 1],
            [first + last + suffix, first + "_" + last + suffix],
            first + "." + last + suffix,
        )
    )
    # A duplicate's handle is its original's email without the dot and domain: similar, not equal.
    handle[is_duplicate] = (first + last + suffix)[is_duplicate]
    bot_suffix = pd.Series(rng.integers(10_000, 99_999, count)).astype(str)
    handle[is_bot] = (first + last + "_" + bot_suffix)[is_bot]

    shares_email = is_duplicate & (rng.random(count) < 0.5)
    email_chance = np.select([np.isin(source, ["crm", "shop"]), source == "linkedin"], [1.0, 0.5], 0.08)
    has_email = (~is_bot & ~is_duplicate & (rng.random(count) < email_chance)) | shares_email
    phone_chance = np.select([source == "crm", source == "shop"], [0.7, 0.5], 0.2)
    has_phone = ~is_bot & ~is_duplicate & (rng.random(count) < phone_chance)

    parts = [
        _identity_rows(has_email, "email", email),
        _identity_rows(has_phone, "phone", _phones(rng=rng, people=people)),
        _identity_rows(source == "crm", "crm_id", people["external_id"]),
    ]
    for platform in SOCIAL_PLATFORMS:
        share = np.array([GROUPS[g].channels.get(platform, 0.0) if g != BOT else 0.0 for g in GROUP_NAMES])
        chance = np.minimum(0.9, 1.2 * share)[pd.Categorical(groups, categories=GROUP_NAMES).codes]
        has_handle = (source == platform) | (~is_bot & ~is_duplicate & (rng.random(count) < chance))
        parts.append(_identity_rows(has_handle, platform, handle))
    return pd.concat(parts, ignore_index=True)


def _identity_rows(mask: np.ndarray, kind: str, values: pd.Series) -> pd.DataFrame:
    positions = np.flatnonzero(mask)
    return pd.DataFrame({"profile_index": positions, "kind": kind, "value": values.to_numpy()[positions]})


def _phones(*, rng: np.random.Generator, people: pd.DataFrame) -> pd.Series:
    """A mobile number per person in E.164. Multiplying positions by a number coprime to 10 keeps
    them distinct within a country while looking random."""
    country = people["country"].to_numpy()
    phones = np.empty(len(people), dtype=object)
    for code, (prefix, digits) in MOBILE_PREFIXES.items():
        members = np.flatnonzero(country == code)
        scrambled = (members * 7_919 + int(rng.integers(0, 10**digits))) % 10**digits
        phones[members] = prefix + pd.Series(scrambled).astype(str).str.zfill(digits).to_numpy()
    return pd.Series(phones)


def demo_consents(*, rng: np.random.Generator, people: pd.DataFrame, as_of: int) -> pd.DataFrame:
    count = len(people)
    marketing_chance = (
        people["planted_group"]
        .map({**{name: b.marketing_consent for name, b in GROUPS.items()}, BOT: 0.5})
        .to_numpy(dtype=float)
    )
    chances = {
        "marketing": marketing_chance,
        "personalisation": marketing_chance - 0.1,
        "analytics": np.full(count, 0.8),
    }
    joined = people["joined_s"].to_numpy()
    frames = []
    for purpose in CONSENT_PURPOSES:
        recorded = np.minimum(joined + (rng.random(count) * 30 * DAY).astype(np.int64), as_of)
        # Most consents have no end date; a quarter last two years.
        expires = pd.Series(recorded + 730 * DAY).where(rng.random(count) < 0.25)
        frames.append(
            pd.DataFrame(
                {
                    "profile_index": np.arange(count),
                    "purpose": purpose,
                    "granted": rng.random(count) < chances[purpose],
                    "source": people["source"].to_numpy(),
                    "recorded_at": pd.to_datetime(recorded, unit="s", utc=True),
                    "expires_at": pd.to_datetime(expires, unit="s", utc=True),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
