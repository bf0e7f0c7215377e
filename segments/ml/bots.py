"""A bot score from behaviour alone: volume, low diversity, round-the-clock activity and clockwork
timing. Each signal is 0 (human-like) to 1 (machine-like); the score is their weighted mean."""

import numpy as np
import pandas as pd

# Weights of the signals; they add up to 1, so the score stays between 0 and 1.
SIGNAL_WEIGHTS = {"volume": 0.35, "regularity": 0.3, "sameness": 0.2, "round_the_clock": 0.15}
# Events per active day: at or below the first nobody is suspicious, at the second everyone is.
HUMAN_RATE, MACHINE_RATE = 5.0, 100.0
MIN_EVENTS_FOR_TIMING = 10
# Diversity and hour spread mean little for a handful of events; they count fully from these counts.
FULL_EVIDENCE_TYPES, FULL_EVIDENCE_HOURS = 20, 48
# normalised_entropy looks c ln c up for counts up to this (a 512 kB table).
LOOKUP_MAX_COUNT = 65_536


def normalised_entropy(counts: np.ndarray) -> np.ndarray:
    """Shannon entropy of each row's distribution over its columns, divided by its maximum: 0 when
    everything falls in one column, 1 when spread evenly. Empty rows give 0.

    From the whole counts c and their total T: H = ln T - sum(c ln c) / T. c ln c is looked up in a
    table of every count up to the largest (a logarithm per cell of a million-row histogram took a
    second, the lookup a tenth of that), unless a count is too large for a small table."""
    if counts.shape[1] < 2:
        return np.zeros(counts.shape[0])
    counts = np.asarray(counts)
    if not np.issubdtype(counts.dtype, np.integer):
        raise TypeError("normalised_entropy takes whole counts.")
    totals = counts.sum(axis=1).astype(np.float64)
    largest = int(counts.max(initial=0))
    if largest <= LOOKUP_MAX_COUNT:
        c_ln_c = np.arange(largest + 1, dtype=np.float64)
        c_ln_c *= np.log(np.maximum(c_ln_c, 1.0))
        spread = c_ln_c[counts].sum(axis=1)
    else:
        values = counts.astype(np.float64)
        spread = (values * np.log(np.maximum(values, 1.0))).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        entropy = np.where(totals > 0, np.log(np.maximum(totals, 1.0)) - spread / totals, 0.0)
    return np.clip(entropy / np.log(counts.shape[1]), 0.0, 1.0)


def timing_regularity(
    profile: np.ndarray, occurred_us: np.ndarray, profile_count: int, min_events: int = MIN_EVENTS_FOR_TIMING
) -> np.ndarray:
    """1 - the coefficient of variation of the gaps between a person's consecutive events, clipped
    to 0-1: a script firing every ten minutes scores 1, people (bursty, CV ≥ 1) score 0. NaN for
    people with fewer than `min_events` events. Sorts its input: pass only the events of candidates."""
    order = np.lexsort((occurred_us, profile))
    owners, instants = profile[order], occurred_us[order]
    same_owner = owners[1:] == owners[:-1]
    gaps = (instants[1:] - instants[:-1])[same_owner] / 1e6
    gap_owners = owners[1:][same_owner]
    gap_counts = np.bincount(gap_owners, minlength=profile_count)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.bincount(gap_owners, weights=gaps, minlength=profile_count) / gap_counts
        # Deviations from each owner's mean, not Σx² - mean²: gaps in seconds squared lose precision.
        deviations = (gaps - means[gap_owners]) ** 2
        spread = np.sqrt(np.bincount(gap_owners, weights=deviations, minlength=profile_count) / gap_counts)
        variation = np.where(means > 0, spread / means, 0.0)
    regularity = np.clip(1 - variation, 0, 1)
    return np.where(gap_counts + 1 >= min_events, regularity, np.nan)


def volume_signal(events_total: np.ndarray, span_days: np.ndarray) -> np.ndarray:
    """Events per active day on a log scale between HUMAN_RATE (0) and MACHINE_RATE (1)."""
    per_day = events_total / np.maximum(np.nan_to_num(span_days, nan=0.0), 1.0)
    with np.errstate(divide="ignore"):
        scaled = (np.log10(per_day) - np.log10(HUMAN_RATE)) / (np.log10(MACHINE_RATE) - np.log10(HUMAN_RATE))
    return np.clip(np.nan_to_num(scaled, neginf=0.0), 0, 1)


def bot_scores(
    *,
    events_total: np.ndarray,
    span_days: np.ndarray,
    type_counts: np.ndarray,
    hours: np.ndarray,
    regularity: np.ndarray,
) -> pd.DataFrame:
    """The signals and the `bot_score` of each profile. `regularity` may be NaN (too few events, or
    not a candidate), which counts as human-like timing."""
    events_total = np.asarray(events_total, dtype=np.float64)
    type_evidence = np.minimum(events_total / FULL_EVIDENCE_TYPES, 1.0)
    hour_evidence = np.minimum(events_total / FULL_EVIDENCE_HOURS, 1.0)
    signals = pd.DataFrame(
        {
            "volume": volume_signal(events_total, span_days),
            "regularity": np.nan_to_num(regularity, nan=0.0),
            "sameness": (1 - normalised_entropy(type_counts)) * type_evidence,
            "round_the_clock": normalised_entropy(hours) * hour_evidence,
        }
    )
    signals["bot_score"] = sum(signals[name] * weight for name, weight in SIGNAL_WEIGHTS.items())
    return signals
