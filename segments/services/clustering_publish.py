"""Publishing a fitted clustering: each cluster keeps the segment it matches from the previous run
(centroids matched by segments.ml.cluster_stability.match_clusters), new clusters become new
segments named from their cards, and every segment gets a complete new version, switched in the
caller's transaction. Clusters that matched nothing retire their segments."""

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from django.utils import timezone

from segments.ml.cluster_stability import ari_against_previous, match_clusters
from segments.ml.clustering import ClusteringResult
from segments.models import ClusteringRun, Segment, Segmentation, SegmentKind, SegmentVersion
from segments.services.copy_out import copy_out, parse_fixed
from segments.services.segment_versions import NewVersion, segment_versions_write

# Members at least this sure of their segment are "confident", their share shown on each card: for
# k-means twice as close to their own segment as to any other, for a mixture more likely in it than not.
CONFIDENT = 0.5
ARI_SAMPLE = 100_000


def cluster_keys(
    *, segmentation: Segmentation, previous: ClusteringRun | None, result: ClusteringResult
) -> dict:
    """New label -> cluster key: the matched previous segment's key, or a key never used before."""
    used = Segment.objects.filter(segmentation=segmentation).values_list("cluster_key", flat=True)
    new_centroids = result.centroids
    old_centroids = _keyed_centroids(previous)
    if old_centroids.columns.intersection(new_centroids.columns).empty:
        old_centroids = pd.DataFrame()
    match = match_clusters(
        old_centroids,
        new_centroids,
        scale=result.feature_scale,
        used_keys=[key for key in used if key is not None],
    )
    return match.keys


def previous_members(previous: ClusteringRun | None) -> pd.Series | None:
    """Profile id -> cluster key in the previous run; past ARI_SAMPLE profiles over every n-th profile
    id, which estimates the ARI closely at a fraction of the read."""
    if previous is None:
        return None
    step = max(1, previous.profiles_used // ARI_SAMPLE)
    raw = copy_out(
        "SELECT m.profile_id, s.cluster_key::int8 FROM segments_segmentmembership m "
        "JOIN segments_segmentversion v ON v.id = m.version_id "
        "JOIN segments_segment s ON s.id = v.segment_id "
        f"WHERE v.run_id = {int(previous.id)} AND m.profile_id % {step} = 0"
    )
    rows = parse_fixed(raw, [("profile", ">i8"), ("key", ">i8")])
    return pd.Series(rows["key"].astype(np.int64), index=rows["profile"].astype(np.int64))


def previous_membership_ari(*, before: pd.Series | None, result: ClusteringResult, keys: dict) -> dict:
    """ARI against the previous run's members (previous_members) by cluster key, over the profiles
    segmented by both."""
    if before is None:
        return {"ari_previous": None, "common_profiles": 0}
    members = result.labels >= 0
    lookup = np.array([keys[label] for label in range(result.chosen_k)], dtype=np.int64)
    after = pd.Series(lookup[result.labels[members]], index=result.profile_id[members])
    return ari_against_previous(before, after)


def clustering_versions_write(
    *,
    run: ClusteringRun,
    result: ClusteringResult,
    keys: dict[int, int],
    cards: Callable[[], dict[int, dict[str, Any]]],
    sensitivity: tuple[str, str],
    lineage: dict[str, Any],
) -> list[SegmentVersion]:
    """Inside the caller's transaction: the segments of this run, a version each, switched together.

    `cards` may still be computing elsewhere: it is called (and waited for) only when a new segment
    needs its suggested name, and once all memberships are written."""
    segmentation = run.segmentation
    existing = {segment.cluster_key: segment for segment in segmentation.segments.all()}
    level, reason = sensitivity
    new_versions = []
    for label in range(result.chosen_k):
        segment = existing.get(keys[label])
        if segment is None:
            card = cards()[label]
            segment = Segment.objects.create(
                name=_free_name(card["suggested_name"]),
                description=_sentence(card.get("name_facts", [])),
                kind=SegmentKind.CLUSTER,
                owner=segmentation.owner,
                segmentation=segmentation,
                cluster_key=keys[label],
                sensitivity=level,
                sensitivity_reason=reason,
            )
        else:
            Segment.objects.filter(id=segment.id).update(
                sensitivity=level, sensitivity_reason=reason, retired_at=None, updated_at=timezone.now()
            )
        members = result.labels == label
        new_versions.append(
            NewVersion(
                segment=segment,
                profile_ids=result.profile_id[members],
                confidences=np.round(result.confidence[members], 4),
                lineage=lineage | {"cluster_key": keys[label]},
            )
        )
    written = segment_versions_write(versions=new_versions, run=run)
    described = cards()
    for label, version in enumerate(written):
        version.card = described[label] | _confidence_facts(result, label)
        SegmentVersion.objects.filter(id=version.id).update(card=version.card)
    segmentation.segments.filter(retired_at=None).exclude(cluster_key__in=keys.values()).update(
        retired_at=timezone.now()
    )
    return written


def _keyed_centroids(run: ClusteringRun | None) -> pd.DataFrame:
    if run is None or not run.metrics.get("cluster_keys"):
        return pd.DataFrame()
    centroids = pd.DataFrame.from_dict(run.metrics["centroids"], orient="index")
    centroids.index = [run.metrics["cluster_keys"][label] for label in centroids.index]
    return centroids


def _confidence_facts(result: ClusteringResult, label: int) -> dict[str, Any]:
    confidence = result.confidence[result.labels == label]
    return {
        "confidence_mean": round(float(confidence.mean()), 4) if confidence.size else None,
        "confident_share": round(float((confidence >= CONFIDENT).mean()), 4) if confidence.size else None,
        "confident_threshold": CONFIDENT,
    }


def _sentence(facts: list[str]) -> str:
    """The facts behind the suggested name, as the segment's description."""
    text = "; ".join(facts)
    return f"{text[:1].upper()}{text[1:]}." if text else ""


def _free_name(suggested: str) -> str:
    """The suggested name, numbered when a live segment already has it."""
    taken = {
        name.casefold() for name in Segment.objects.filter(retired_at=None).values_list("name", flat=True)
    }
    name, number = suggested, 2
    while name.casefold() in taken:
        name, number = f"{suggested} {number}", number + 1
    return name[:120]
