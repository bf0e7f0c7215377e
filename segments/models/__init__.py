from segments.models.audience import (
    Consent,
    ConsentPurpose,
    DataSource,
    Event,
    EventType,
    Identity,
    IdentityKind,
    Platform,
    Profile,
    SourceKind,
)
from segments.models.counts import EventDailyCount, RowCount
from segments.models.features import FeatureRun, FeatureSettings, InterestTopic, ProfileFeatures
from segments.models.identity import BlockedIdentifier, IdentifierPolicy, MatchCandidate, ProfileMerge
from segments.models.imports import ImportMapping, ImportRun, ImportStatus, RecordKind, RejectedRow
from segments.models.privacy import ErasureTombstone, RetentionPolicy

__all__ = [
    "BlockedIdentifier",
    "Consent",
    "ConsentPurpose",
    "DataSource",
    "ErasureTombstone",
    "Event",
    "EventDailyCount",
    "EventType",
    "FeatureRun",
    "FeatureSettings",
    "IdentifierPolicy",
    "Identity",
    "IdentityKind",
    "ImportMapping",
    "ImportRun",
    "ImportStatus",
    "InterestTopic",
    "MatchCandidate",
    "Platform",
    "Profile",
    "ProfileFeatures",
    "ProfileMerge",
    "RecordKind",
    "RejectedRow",
    "RetentionPolicy",
    "RowCount",
    "SourceKind",
]
