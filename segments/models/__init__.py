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

__all__ = [
    "Consent",
    "ConsentPurpose",
    "DataSource",
    "Event",
    "EventDailyCount",
    "EventType",
    "Identity",
    "IdentityKind",
    "Platform",
    "Profile",
    "RowCount",
    "SourceKind",
]
