import itertools
import re
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import phonenumbers
import pytest

from segments.ml.synthetic import DemoCompanyConfig, demo_company
from segments.ml.synthetic_events import demo_event_chunks
from segments.ml.synthetic_groups import GROUPS

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
CONFIG = DemoCompanyConfig(profiles=20_000, events=200_000, seed=3, as_of=AS_OF, chunk_rows=60_000)


@pytest.fixture(scope="module")
def company():
    return demo_company(config=CONFIG)


@pytest.fixture(scope="module")
def events(company):
    return pd.concat(list(demo_event_chunks(profiles=company.profiles, config=CONFIG)), ignore_index=True)


@pytest.fixture(scope="module")
def people(company, events):
    """One row per profile with behaviour measured from its events."""
    per_type = pd.crosstab(events["profile_index"], events["event_type"], normalize="index")
    hours = events.groupby("profile_index")["occurred_at"].agg(lambda moments: moments.dt.hour.median())
    last = events.groupby("profile_index")["occurred_at"].max()
    return company.profiles.join(per_type).assign(median_hour=hours, last_event=last)


def test_the_same_seed_gives_the_same_company():
    small = DemoCompanyConfig(profiles=2_000, events=20_000, seed=11, as_of=AS_OF)
    first, second = demo_company(config=small), demo_company(config=small)
    pd.testing.assert_frame_equal(first.profiles, second.profiles)
    pd.testing.assert_frame_equal(first.identities, second.identities)
    pd.testing.assert_frame_equal(first.consents, second.consents)
    first_events = pd.concat(demo_event_chunks(profiles=first.profiles, config=small))
    second_events = pd.concat(demo_event_chunks(profiles=second.profiles, config=small))
    pd.testing.assert_frame_equal(first_events, second_events)

    other = demo_company(config=DemoCompanyConfig(profiles=2_000, events=20_000, seed=12, as_of=AS_OF))
    assert not first.profiles["first_name"].equals(other.profiles["first_name"])


def test_sizes_groups_bots_and_duplicates(company):
    profiles = company.profiles
    assert len(profiles) == 20_000
    assert profiles["external_id"].is_unique
    assert profiles["external_id"].iloc[122] == "C0000123"
    shares = profiles.loc[~profiles["is_bot"], "planted_group"].value_counts(normalize=True)
    for name, behaviour in GROUPS.items():
        assert shares[name] == pytest.approx(behaviour.share, abs=0.02)
    assert profiles["is_bot"].mean() == pytest.approx(0.01, abs=0.003)
    assert (profiles["duplicate_of"] >= 0).mean() == pytest.approx(0.03, abs=0.003)
    assert set(profiles["country"]) == {"GB", "IE", "US", "DE", "FR"}
    assert profiles["created_at"].min() >= pd.Timestamp(AS_OF) - pd.Timedelta(days=3 * 366)


def test_event_counts_add_up_and_chunks_stay_small(company):
    chunks = list(demo_event_chunks(profiles=company.profiles, config=CONFIG))
    assert company.profiles["event_count"].sum() == 200_000
    assert sum(len(chunk) for chunk in chunks) == 200_000
    assert len(chunks) >= 4
    assert all(len(chunk) <= CONFIG.chunk_rows for chunk in chunks)
    # Each person's events sit in one chunk, in profile order.
    boundaries = [(chunk["profile_index"].min(), chunk["profile_index"].max()) for chunk in chunks]
    assert all(previous[1] < following[0] for previous, following in itertools.pairwise(boundaries))


def test_events_are_believable(company, events):
    assert events["occurred_at"].max() <= pd.Timestamp(AS_OF)
    created = company.profiles["created_at"].to_numpy()[events["profile_index"]]
    assert (events["occurred_at"].to_numpy() >= created).all()
    purchases = events[events["event_type"] == "purchase"]
    assert (purchases["platform"] == "shop").all()
    assert purchases["amount"].gt(0).all()
    assert events.loc[events["event_type"] != "purchase", "amount"].isna().all()
    clicks = events[events["event_type"] == "click"]
    assert clicks["utm_source"].ne("").all() and clicks["utm_medium"].ne("").all()
    assert clicks["campaign_code"].isin(["spring-sale-2026", "black-friday-2026"]).any()
    comments = events[events["event_type"] == "comment"]["text"]
    assert comments.ne("").all()
    assert comments.str.contains("#").mean() > 0.5
    assert comments.str.contains("love|disappointed").any()
    assert (events["source"] == events["platform"]).all()
    assert set(events["content_format"]) <= {"", "image", "video", "reel", "carousel", "article", "story"}


def test_planted_groups_behave_differently(people):
    humans = people[~people["is_bot"] & (people["duplicate_of"] < 0)]
    by_group = humans.groupby("planted_group")
    purchases = by_group["purchase"].mean()
    assert purchases["loyal_big_spenders"] > 3 * purchases["social_engagers"]
    engagement = by_group["comment"].mean() + by_group["share"].mean()
    assert engagement["social_engagers"] > 2 * engagement.drop("social_engagers").max()
    assert by_group["follow"].mean().idxmax() == "new_followers"
    assert (
        by_group["event_count"].mean()["lapsed_customers"]
        < by_group["event_count"].mean()["loyal_big_spenders"]
    )
    days_quiet = (pd.Timestamp(AS_OF) - by_group["last_event"].median()).dt.days
    assert days_quiet["lapsed_customers"] > 150
    assert days_quiet["social_engagers"] < 10
    assert (
        by_group["median_hour"].median()["linkedin_professionals"]
        < 14
        < by_group["median_hour"].median()["social_engagers"]
    )


def test_purchase_amounts_and_channels_differ_by_group(company, events):
    groups = company.profiles["planted_group"].to_numpy()[events["profile_index"]]
    amounts = events.assign(group=groups).groupby("group")["amount"].median()
    assert amounts["loyal_big_spenders"] > 2.5 * amounts["bargain_hunters"]
    linkedin_share = (
        events.assign(group=groups).groupby("group")["platform"].agg(lambda p: (p == "linkedin").mean())
    )
    assert linkedin_share["linkedin_professionals"] > 0.5
    assert linkedin_share.drop("linkedin_professionals").max() < 0.1


def test_bots_are_busy_repetitive_and_regular(company, events):
    bots = company.profiles.index[company.profiles["is_bot"]]
    human_median = company.profiles.loc[~company.profiles["is_bot"], "event_count"].median()
    assert company.profiles.loc[bots, "event_count"].median() > 5 * human_median
    for bot in bots[:20]:
        own = events[events["profile_index"] == bot].sort_values("occurred_at")
        assert own["event_type"].nunique() == 1
        assert own["platform"].nunique() == 1
        assert own["occurred_at"].diff().dropna().nunique() == 1


def test_duplicates_share_an_email_or_a_similar_handle(company):
    profiles, identities = company.profiles, company.identities
    duplicates = profiles[profiles["duplicate_of"] >= 0]
    originals = profiles.loc[duplicates["duplicate_of"]]
    assert (duplicates["source"].to_numpy() != originals["source"].to_numpy()).all()
    assert (duplicates["last_name"].to_numpy() == originals["last_name"].to_numpy()).all()
    emails = identities[identities["kind"] == "email"].set_index("profile_index")["value"]
    handles = identities[identities["kind"] != "email"].groupby("profile_index")["value"].agg(set)
    shared = similar = 0
    for duplicate, original in zip(duplicates.index, duplicates["duplicate_of"], strict=True):
        original_email = emails[original]
        if emails.get(duplicate) == original_email:
            shared += 1
        elif original_email.split("@")[0].replace(".", "") in handles[duplicate]:
            similar += 1
    assert shared + similar == len(duplicates)
    assert shared > 0.3 * len(duplicates) and similar > 0.3 * len(duplicates)


def test_identities_are_normalised(company):
    identities = company.identities
    assert set(identities["kind"]) == {"email", "phone", "instagram", "x", "linkedin", "tiktok", "crm_id"}
    emails = identities.loc[identities["kind"] == "email", "value"]
    assert emails.str.fullmatch(r"[a-z0-9.]+@[a-z.]+").all()
    handles = identities.loc[identities["kind"].isin(["instagram", "x", "linkedin", "tiktok"]), "value"]
    assert handles.str.fullmatch(r"[a-z0-9._]{1,64}").all()
    phones = identities.loc[identities["kind"] == "phone", "value"]
    assert phones.is_unique
    for phone in phones.sample(200, random_state=1):
        number = phonenumbers.parse(phone)
        assert phonenumbers.is_possible_number(number)
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == phone
    people_with_email = identities.loc[identities["kind"] == "email", "profile_index"]
    sources = company.profiles["source"]
    assert set(sources[sources.isin(["crm", "shop"])].index) <= set(people_with_email)


def test_consents_three_purposes_mostly_granted_for_marketing(company):
    consents = company.consents
    assert len(consents) == 3 * len(company.profiles)
    assert not consents.duplicated(["profile_index", "purpose"]).any()
    marketing = consents[consents["purpose"] == "marketing"]
    assert marketing["granted"].mean() == pytest.approx(0.7, abs=0.05)
    assert consents["expires_at"].notna().mean() == pytest.approx(0.25, abs=0.03)
    assert (consents["recorded_at"] <= pd.Timestamp(AS_OF)).all()


def test_tiny_and_empty_companies():
    empty = demo_company(config=DemoCompanyConfig(profiles=0, events=0, as_of=AS_OF))
    assert empty.profiles.empty and empty.identities.empty
    tiny_config = DemoCompanyConfig(profiles=20, events=0, as_of=AS_OF)
    tiny = demo_company(config=tiny_config)
    assert len(tiny.profiles) == 20
    assert list(demo_event_chunks(profiles=tiny.profiles, config=tiny_config)) == []
    with pytest.raises(ValueError, match="negative"):
        DemoCompanyConfig(profiles=-1)


def test_handles_have_no_at_sign_and_emails_no_capitals(company):
    values = company.identities["value"]
    assert not values.str.contains("@").where(company.identities["kind"] != "email", False).any()
    assert (
        not values.map(lambda value: bool(re.search("[A-Z]", value)))
        .where(company.identities["kind"] != "crm_id", False)
        .any()
    )
    assert np.issubdtype(company.identities["profile_index"].dtype, np.integer)
