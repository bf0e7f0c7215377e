"""Small frames of ProfileFeatures-like columns with known groups, made with numpy for the ml tests."""

import numpy as np
import pandas as pd

# (purchases, basket, Instagram share, interactions): three kinds of buyers, two of followers who never
# bought. Buyers and followers are far apart; the two buyers with a small basket or few purchases sit
# close together, so silhouette sees four groups where there are five.
FIVE_GROUPS = [(15, 60, 0.8, 200), (4, 60, 0.2, 60), (15, 12, 0.25, 60), (0, 0, 0.8, 150), (0, 0, 0.2, 10)]


def planted_frame(groups=FIVE_GROUPS, size=300, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for number, (purchases, basket, instagram, interactions) in enumerate(groups):
        count = size if isinstance(size, int) else size[number]
        frequency = rng.poisson(purchases, count) + 1 if purchases else np.zeros(count, dtype=int)
        monetary = frequency * basket * rng.lognormal(0, 0.25, count) if purchases else np.zeros(count)
        share = np.clip(instagram + rng.normal(0, 0.08, count), 0, 1)
        parts.append(
            pd.DataFrame(
                {
                    "group": number,
                    "frequency": frequency,
                    "monetary": monetary,
                    "recency_days": np.where(frequency > 0, rng.uniform(1, 60, count), np.nan),
                    "clv_estimate": monetary * 1.5,
                    "events_total": rng.poisson(interactions, count),
                    "engagement_rate": rng.poisson(interactions, count) / 100,
                    "channel_mix": [{"instagram": value, "shop": 1 - value} for value in share],
                    "is_bot": False,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame["profile_id"] = np.arange(1, len(frame) + 1) * 10
    return frame


def blobs(centres, size=200, spread=0.5, seed=0) -> pd.DataFrame:
    """Round groups on two plain numeric features (monetary, frequency), for geometric checks."""
    rng = np.random.default_rng(seed)
    points = np.vstack([np.asarray(centre) + rng.normal(0, spread, (size, 2)) for centre in centres])
    frame = pd.DataFrame({"monetary": points[:, 0], "frequency": points[:, 1], "is_bot": False})
    frame["group"] = np.repeat(np.arange(len(centres)), size)
    frame["profile_id"] = np.arange(1, len(frame) + 1)
    return frame
