"""A marketer adds an interest topic, computes the features, watches the job finish, and reads on the
profile pages what came out: a customer's RFM group and interests, and a script flagged as a bot."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from governance.models import Job, JobStatus
from governance.roles import MARKETER
from governance.services.jobs import job_execute
from segments.models import Event, Profile
from segments.services.features import features_compute_work
from tests.browser.journeys import BROWSER_WITH_JOBS, keep_jobs_queued, open_from_menu
from tests.factories import EventFactory, ProfileFactory

pytestmark = BROWSER_WITH_JOBS


@pytest.fixture
def shoppers(transactional_db) -> dict[str, Profile]:
    """Nora bought twice lately and writes about marathons; Otto bought once, long ago; the third
    profile likes something every six minutes, day and night."""
    now = timezone.now()
    nora = ProfileFactory(first_name="Nora", last_name="Runner")
    otto = ProfileFactory(first_name="Otto", last_name="Oldbuyer")
    script = ProfileFactory(first_name="Likebot", last_name="Nine")
    for days_ago, amount in ((5, "40.00"), (20, "60.00")):
        EventFactory(
            profile=nora,
            event_type="purchase",
            platform="shop",
            amount=Decimal(amount),
            occurred_at=now - timedelta(days=days_ago),
        )
    EventFactory(
        profile=nora,
        event_type="comment",
        text="Training for my first marathon this spring!",
        occurred_at=now - timedelta(days=3),
    )
    EventFactory(
        profile=otto,
        event_type="purchase",
        platform="shop",
        amount=Decimal("25.00"),
        occurred_at=now - timedelta(days=200),
    )
    Event.objects.bulk_create(
        Event(
            profile=script,
            source=script.source,
            platform="instagram",
            event_type="like",
            occurred_at=now - timedelta(minutes=6 * number),
        )
        for number in range(240)
    )
    return {"nora": nora, "otto": otto, "script": script}


def fact(page: Page, term: str):
    """The value beside `term` in the profile page's Features list."""
    features = page.get_by_role("region", name="Features")
    return features.locator("dt", has_text=term).locator("xpath=following-sibling::dd[1]")


def test_a_marketer_computes_features_and_reads_them_on_profiles(
    page: Page, person, log_in, shoppers, monkeypatch
):
    queued = keep_jobs_queued(monkeypatch)
    log_in(person(MARKETER).username)
    open_from_menu(page, "Features")
    expect(page.get_by_role("heading", name="Features", exact=True)).to_be_visible()
    expect(page.get_by_text("Features have not been computed yet.")).to_be_visible()

    topics = page.locator("#interest-topics")
    topics.get_by_label("Topic").fill("Running")
    topics.get_by_label("Keywords and hashtags").fill("running, marathon, #10k")
    topics.get_by_role("button", name="Add topic").click()
    added = topics.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Running", exact=True))
    expect(added).to_contain_text("running, marathon, 10k")
    expect(topics.get_by_label("Topic")).to_have_value("")

    # A second topic of the same name is refused, and the form says why.
    topics.get_by_label("Topic").fill("running")
    topics.get_by_label("Keywords and hashtags").fill("jogging")
    topics.get_by_role("button", name="Add topic").click()
    expect(topics.get_by_text("There is already a topic called")).to_be_visible()
    expect(topics.get_by_label("Keywords and hashtags")).to_have_value("jogging")
    expect(page.locator("#page-error")).to_be_hidden()

    page.get_by_role("button", name="Recompute features").click()
    progress = page.locator("#feature-job .job-progress")
    expect(progress.get_by_test_id("job-status")).to_have_text("Queued")
    assert [job.task_name for job in queued] == ["segments.features_compute"]

    # The worker's part, played here: the same work function the Celery task runs.
    job_execute(job_id=queued[0].id, work=features_compute_work)
    assert Job.objects.get(id=queued[0].id).status == JobStatus.SUCCEEDED
    expect(progress.get_by_test_id("job-status")).to_have_text("Succeeded", timeout=10_000)
    expect(progress.locator(".job-result")).to_contain_text("Excluded as bots")

    page.reload()
    expect(page.get_by_test_id("features-profiles")).to_have_text("3")
    expect(page.get_by_test_id("features-bots")).to_have_text("1")
    expect(
        page.get_by_text("1 profile has no group: they never bought, or were excluded as bots.")
    ).to_be_visible()
    # Nora and Otto are the two customers; the chart counts them in whole people.
    page.wait_for_function("() => window.Chart && Chart.getChart('rfm-chart') !== undefined")
    chart = page.locator("#rfm-chart").evaluate(
        "canvas => { const c = Chart.getChart(canvas); return {"
        " counts: Object.fromEntries(c.data.labels.map((label, i) => [label, c.data.datasets[0].data[i]])),"
        " ticks: c.scales.y.ticks.map(tick => tick.value)}; }"
    )
    assert {group: count for group, count in chart["counts"].items() if count} == {"Potential": 1, "Lost": 1}
    assert all(tick == int(tick) for tick in chart["ticks"]), chart["ticks"]

    open_from_menu(page, "Profiles")
    page.locator("#q").fill("Nora")
    page.get_by_role("link", name="Nora Runner").click()
    expect(fact(page, "RFM group")).to_contain_text("Potential")
    expect(fact(page, "Interests")).to_contain_text("Running")
    expect(fact(page, "Bot score")).not_to_contain_text("Likely a bot")
    expect(page.get_by_text("Excluded as a likely bot")).to_have_count(0)

    page.goto(f"/audience/profiles/{shoppers['script'].id}/")
    expect(page.get_by_text("Excluded as a likely bot")).to_be_visible()
    expect(fact(page, "Bot score")).to_contain_text("Likely a bot: left out of segments and KPIs")
    expect(fact(page, "RFM group")).to_contain_text("no purchases yet")
