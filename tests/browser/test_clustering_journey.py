"""A marketer clusters the audience: creates a segmentation, runs it (the worker's part played here),
reads why k was recommended and each segment's card, renames one, keeps only confident members, and
compares this run's segments with the previous run's."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from governance.roles import MARKETER
from governance.services import jobs as job_services
from segments.models import ClusteringRun, Profile, Segment
from segments.services.clustering_runs import clustering_run_work
from tests.factories import DataSourceFactory
from tests.segments.clustering.conftest import GROUP_SIZE, GROUPS, planted_features

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, databases=["default", "jobs"])]


@pytest.fixture
def audience(transactional_db) -> None:
    source = DataSourceFactory()
    profiles = Profile.objects.bulk_create(
        Profile(source=source, external_id=f"P{number}", first_name="Pat", created_at=timezone.now())
        for number in range(GROUP_SIZE * len(GROUPS))
    )
    planted_features(profiles)


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    """Catches the message that would go to the broker; the test plays the worker itself."""
    sent: list[int] = []
    monkeypatch.setattr(job_services, "_job_enqueue", lambda job: sent.append(job.id))
    return sent


def cluster_now(page: Page, enqueued: list[int]) -> None:
    page.get_by_role("button", name="Cluster now").click()
    expect(page.get_by_test_id("job-status")).to_have_text("Queued")
    job_services.job_execute(job_id=enqueued[-1], work=clustering_run_work)
    expect(page.get_by_test_id("job-status")).to_have_text("Succeeded")


def test_a_marketer_clusters_reads_the_cards_and_keeps_confident_members(
    page: Page, person, log_in, audience, enqueued
):
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(person(MARKETER).username)
    page.goto("/audience/segmentations/")
    page.get_by_role("link", name="New segmentation").click()
    page.get_by_label("Name", exact=True).fill("Customer value")
    page.get_by_label("Try k from").fill("2")
    page.get_by_label("to", exact=True).fill("5")
    page.get_by_label("Smallest segment").fill("10")
    page.get_by_role("button", name="Create segmentation").click()
    expect(page.get_by_role("heading", name="Customer value")).to_be_visible()

    cluster_now(page, enqueued)
    page.reload()
    page.get_by_role("link", name=re.compile("See the current segments")).click()
    expect(page.get_by_test_id("run-k")).to_have_text("3")
    expect(page.get_by_test_id("k-reasons")).to_contain_text("k=3")
    expect(page.get_by_test_id("cluster-card")).to_have_count(3)
    page.wait_for_function("() => window.Chart && Chart.getChart('projection-chart')")  # scripts are deferred
    assert page.evaluate("Chart.getChart('k-chart').data.labels") == [2, 3, 4, 5]
    assert page.evaluate("Chart.getChart('projection-chart').data.datasets.length") == 3

    first = Segment.objects.filter(segmentation__name="Customer value").order_by("cluster_key").first()
    card = page.locator(f"#segment-name-{first.id}")
    card.get_by_label("Name").fill("Lazy buyers")
    card.get_by_role("button", name="Rename").click()
    expect(page.locator(f"#segment-name-{first.id}")).to_contain_text("may not use “lazy”")
    page.locator(f"#segment-name-{first.id}").get_by_label("Name").fill("Our regulars")
    page.locator(f"#segment-name-{first.id}").get_by_role("button", name="Rename").click()
    expect(page.get_by_role("link", name="Our regulars")).to_be_visible()

    page.get_by_role("link", name="Our regulars").click()
    expect(page.get_by_test_id("cluster-card")).to_contain_text("What sets them apart")
    rows = page.locator("#segment-members tbody tr")
    every = rows.count()
    page.get_by_label("Least confidence").fill("0.95")
    page.get_by_role("button", name="Filter").click()
    expect(rows).not_to_have_count(every)
    for cell in page.locator("#segment-members tbody tr td:last-child").all_inner_texts():
        assert float(cell) >= 0.95

    page.get_by_role("link", name="Customer value").click()
    cluster_now(page, enqueued)
    assert ClusteringRun.objects.filter(status="succeeded").count() == 2
    page.reload()
    page.wait_for_function("() => window.Chart && Chart.getChart('size-history-chart')")
    assert page.evaluate("Chart.getChart('size-history-chart').data.labels.length") == 2
    page.goto(f"/audience/segments/{first.id}/")
    expect(page.get_by_test_id("transition-matrix")).to_contain_text("Our regulars")
    assert errors == []
