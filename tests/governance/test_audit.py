import pytest
from django.db import DatabaseError, transaction

from governance.models import AuditEntry
from governance.services.audit import audit_record

pytestmark = pytest.mark.django_db


def test_audit_record_names_the_actor_and_the_subject(admin, marketer):
    entry = audit_record(actor=admin, action="user.role_changed", subject=marketer, details={"to": "Manager"})
    assert (entry.actor_label, entry.subject_label, entry.subject_id) == ("ada", "mia", str(marketer.id))
    assert entry.subject_type.model == "user"


@pytest.mark.parametrize("change", ["update", "delete"])
def test_the_database_refuses_to_change_or_delete_an_audit_entry(admin, change):
    entry = audit_record(actor=admin, action="demo.loaded")
    with pytest.raises(DatabaseError), transaction.atomic():
        if change == "update":
            AuditEntry.objects.filter(id=entry.id).update(action="nothing.happened")
        else:
            AuditEntry.objects.filter(id=entry.id).delete()
    assert AuditEntry.objects.get(id=entry.id).action == "demo.loaded"


def test_admin_filters_the_audit_log(admin, marketer, login):
    audit_record(actor=marketer, action="segment.created")
    audit_record(actor=admin, action="job.requested")
    client = login(admin)
    page = client.get("/governance/audit/", {"action": "segment"}).content.decode()
    assert "segment.created" in page
    assert "job.requested" not in page
    page = client.get("/governance/audit/", {"actor": "ada"}).content.decode()
    assert "job.requested" in page and "segment.created" not in page


def test_audit_filter_over_htmx_returns_only_the_rows(admin, login):
    audit_record(actor=admin, action="job.requested")
    response = login(admin).get("/governance/audit/", {"action": "job"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "job.requested" in body
    assert "<html" not in body


def test_audit_log_pages_backwards_by_id(admin, login, settings):
    for number in range(55):
        audit_record(actor=admin, action=f"step.{number:02d}")
    client = login(admin)
    first = client.get("/governance/audit/").content.decode()
    assert "step.54" in first and "step.04" not in first
    oldest_shown = AuditEntry.objects.order_by("-id")[49].id
    second = client.get("/governance/audit/", {"before": oldest_shown}).content.decode()
    assert "step.04" in second and "step.54" not in second


def test_audit_api_lists_entries_for_admins_only(admin, manager, login):
    audit_record(actor=admin, action="job.requested")
    response = login(admin).get("/api/v1/audit/")
    assert response.status_code == 200
    assert response.json()["results"][0]["action"] == "job.requested"
    assert login(manager).get("/api/v1/audit/").status_code == 403
