from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest

from segments.services.feature_io import feature_inputs_read
from tests.factories import EventFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def test_event_columns_come_out_in_numpy_own_types():
    """Look-alike types (">i8" made native) send numpy down slow paths, ufunc.at among them."""
    ann = ProfileFactory()
    moment = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
    EventFactory(
        profile=ann, event_type="purchase", platform="shop", amount=Decimal("12.50"), occurred_at=moment
    )

    events = feature_inputs_read(parallel=False).events

    assert list(events.profile) == [0] and list(events.amount) == [12.5]
    assert list(events.occurred_us) == [int(moment.timestamp() * 1_000_000)]
    for column in (events.profile, events.occurred_us, events.amount):
        assert column.dtype.isbuiltin == 1 and column.dtype.isnative


def test_comments_and_messages_come_back_with_their_owners_exactly_as_written():
    ann, bo = ProfileFactory(), ProfileFactory()
    texts = {ann: ['Line one\nline "two", \\ back', "🙂 ünïcode"], bo: ["short"]}
    for person, theirs in texts.items():
        for text in theirs:
            EventFactory(profile=person, event_type="comment", platform="x", text=text)
    EventFactory(profile=bo, event_type="comment", platform="x", text="")
    EventFactory(profile=bo, event_type="like", platform="x", text="not a comment")

    inputs = feature_inputs_read(parallel=False)

    dense = {person: int(inputs.audience.dense(np.array([person.id]))[0]) for person in texts}
    read = sorted(zip(inputs.text_profile.tolist(), inputs.text.tolist(), strict=True))
    assert read == sorted((dense[person], text) for person, theirs in texts.items() for text in theirs)
