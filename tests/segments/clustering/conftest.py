"""A small audience with three planted groups of customers, and a segmentation that finds them."""

import numpy as np
import pytest
from django.utils import timezone

from segments.ml.clustering_config import ClusteringConfig
from segments.models import Consent, Profile, ProfileFeatures
from segments.services.clustering_segmentations import segmentation_create
from segments.services.feature_shares import share_arrays
from tests.factories import DataSourceFactory

# (purchases, basket, days since the last purchase, Instagram share, interest): big spenders, regular
# light buyers, and lapsed one-off buyers.
GROUPS = [(20, 80.0, 5, 0.8, "travel"), (6, 15.0, 20, 0.3, "food"), (1, 20.0, 300, 0.1, "fitness")]
GROUP_SIZE = 60
RFM_GROUPS = ["Champions", "Loyal", "Lost"]


def planted_features(profiles: list[Profile], seed: int = 0, first_group: int = 0) -> None:
    """Features for `profiles` in GROUPS order from `first_group`, GROUP_SIZE each (the last group
    takes the rest)."""
    rng = np.random.default_rng(seed)
    now = timezone.now()
    rows = []
    for position, profile in enumerate(profiles):
        group = min(first_group + position // GROUP_SIZE, len(GROUPS) - 1)
        purchases, basket, recency, instagram, interest = GROUPS[group]
        frequency = int(rng.poisson(purchases)) + 1
        share = float(np.clip(instagram + rng.normal(0, 0.05), 0, 1))
        rows.append(
            ProfileFeatures(
                profile=profile,
                computed_at=now,
                frequency=frequency,
                monetary=round(frequency * basket * float(rng.lognormal(0, 0.1)), 2),
                recency_days=float(recency * rng.lognormal(0, 0.1)),
                clv_estimate=frequency * basket * 1.5,
                events_total=int(rng.poisson(50)),
                rfm_group=RFM_GROUPS[group],
                **share_arrays({"instagram": share, "x": 1 - share}, {}),
                interests=[interest],
                peak_hour=int(rng.integers(18, 22)),
                sentiment=float(rng.uniform(-0.2, 0.6)),
            )
        )
    ProfileFeatures.objects.bulk_create(rows)


@pytest.fixture
def planted(db) -> list[Profile]:
    source = DataSourceFactory()
    now = timezone.now()
    profiles = Profile.objects.bulk_create(
        Profile(source=source, external_id=f"P{number:04d}", first_name="Pat", created_at=now)
        for number in range(GROUP_SIZE * len(GROUPS))
    )
    planted_features(profiles)
    Consent.objects.bulk_create(
        Consent(profile=profile, purpose="marketing", granted=True, source=source, recorded_at=now)
        for profile in profiles[::2]
    )
    return profiles


SMALL_RUN = ClusteringConfig(
    preset="rfm",
    k_min=2,
    k_max=5,
    min_segment_size=10,
    bootstrap_resamples=3,
    bootstrap_sample=150,
    silhouette_sample=150,
    projection_sample=100,
)


@pytest.fixture
def segmentation(marketer):
    return segmentation_create(actor=marketer, name="Customer value", config=SMALL_RUN)
