"""Whole imports of each file format, encoding and record kind, from upload to rows in the database."""

import io
import json
from datetime import date

import pytest
from openpyxl import Workbook

from segments.models import BlockedIdentifier, Event, Identity, ImportStatus, Profile, RejectedRow
from segments.services.import_sql import UNKNOWN_PERSON
from tests.factories import DataSourceFactory, ProfileFactory

pytestmark = pytest.mark.django_db(databases=["default", "jobs"])


def accounted(run) -> bool:
    return run.inserted_rows + run.updated_rows + run.unchanged_rows + run.rejected_rows == run.total_rows


def rejections(run) -> dict[int, tuple[str, str]]:
    rows = RejectedRow.objects.filter(run=run).values_list("row_number", "column", "reason")
    return {number: (column, reason) for number, column, reason in rows}


def test_an_excel_workbook_of_profiles(crm, imported):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["CustomerID", "First name", "E-mail", "Year of birth", "Joined"])
    sheet.append([101, "Ada", "ADA@example.com", 1986, date(2024, 5, 1)])
    sheet.append([102, "Bob", "bob(at)example.com", 1990, date(2024, 6, 2)])
    sheet.append([103, "Cy", None, None, None])
    content = io.BytesIO()
    workbook.save(content)
    run = imported(crm, "profiles", content.getvalue(), "customers.xlsx")
    assert (run.file_format, run.status) == ("xlsx", ImportStatus.SUCCEEDED)
    assert (run.total_rows, run.inserted_rows, run.rejected_rows) == (3, 2, 1) and accounted(run)
    ada = Profile.objects.get(source=crm, external_id="101")
    assert (ada.first_name, ada.birth_year) == ("Ada", 1986)
    assert Identity.objects.get(profile=ada).value == "ada@example.com"
    assert Profile.objects.get(source=crm, external_id="103").birth_year is None
    assert rejections(run) == {2: ("E-mail", "is not an email address")}


def test_json_lines_of_web_events_matched_by_email(imported):
    web = DataSourceFactory(name="Website", kind="web", platform="web")
    ada = ProfileFactory(source=DataSourceFactory(name="Shop CRM"))
    Identity.objects.create(profile=ada, kind="email", value="ada@example.com")
    records = [
        {
            "event_id": "w1",
            "email": "Ada@Example.com",
            "type": "page_view",
            "timestamp": "2025-04-01T09:00:00Z",
        },
        {
            "event_id": "w2",
            "email": "ada@example.com",
            "type": "click",
            "timestamp": "2025-04-01T09:01:00+01:00",
        },
        {
            "event_id": "w3",
            "email": "nobody@example.com",
            "type": "page_view",
            "timestamp": "2025-04-01T10:00:00Z",
        },
        {
            "event_id": "w4",
            "email": "ada@example.com",
            "type": "teleport",
            "timestamp": "2025-04-01T11:00:00Z",
        },
    ]
    content = "".join(json.dumps(record) + "\n" for record in records).encode()
    run = imported(web, "events", content, "clicks.jsonl")
    assert (run.file_format, run.status) == ("jsonl", ImportStatus.SUCCEEDED), run.error
    assert (run.total_rows, run.inserted_rows, run.rejected_rows) == (4, 2, 2) and accounted(run)
    events = Event.objects.filter(source=web).order_by("external_id")
    assert [(event.profile_id, event.event_type, event.platform) for event in events] == [
        (ada.id, "page_view", "web"),
        (ada.id, "click", "web"),
    ]
    assert events[1].occurred_at.isoformat() == "2025-04-01T08:01:00+00:00"
    reasons = rejections(run)
    assert reasons[3] == ("email", UNKNOWN_PERSON)
    assert reasons[4][0] == "type" and reasons[4][1].startswith("is not one of: view, like")


def test_a_utf16_tab_separated_export_with_windows_line_ends(crm, imported):
    text = "Customer ID\tFirst name\tCity\r\nC1\tZoë\tBesançon\r\nC2\tŁukasz\tŁódź\r\n"
    run = imported(crm, "profiles", text.encode("utf-16"), "export.txt")
    assert (run.encoding, run.delimiter, run.status) == ("utf-16", "\t", ImportStatus.SUCCEEDED)
    assert run.inserted_rows == 2 and accounted(run)
    assert Profile.objects.get(external_id="C1").city == "Besançon"
    assert Profile.objects.get(external_id="C2").first_name == "Łukasz"


def test_cp1252_semicolon_transactions_with_pound_amounts(crm, imported):
    ProfileFactory(source=crm, external_id="C1", first_name="René")
    text = "Order ID;Customer ID;Order date;Order total\nO1;C1;03/02/2025 14:30;£1,234.50\n"
    text += "".join(f"O{number};C1;{number:02d}/02/2025 09:00;€7\n" for number in range(2, 10))
    text += "O10;C1;31/02/2025 09:00;£3\n"
    run = imported(crm, "transactions", text.encode("cp1252"), "orders.csv")
    assert (run.encoding, run.delimiter, run.status) == ("cp1252", ";", ImportStatus.SUCCEEDED)
    assert (run.inserted_rows, run.rejected_rows) == (9, 1) and accounted(run)
    first = Event.objects.get(external_id="O1")
    assert (first.event_type, str(first.amount), first.occurred_at.isoformat()) == (
        "purchase",
        "1234.50",
        "2025-02-03T14:30:00+00:00",
    )
    assert rejections(run)[10] == ("Order date", "is not a date in the format %d/%m/%Y %H:%M")


def test_events_keyed_by_a_blocked_placeholder_go_to_no_one(imported):
    web = DataSourceFactory(name="Website", kind="web", platform="web")
    crm = DataSourceFactory(name="Shop CRM")
    ada, bob = ProfileFactory(source=crm), ProfileFactory(source=crm)
    for person in (ada, bob):
        Identity.objects.create(profile=person, kind="email", value="noemail@shop.com")
        Identity.objects.create(profile=person, kind="email", value="family@example.com")
    BlockedIdentifier.objects.create(kind="email", value="noemail@shop.com", reason="Placeholder")
    lines = [
        {"event_id": f"w{n}", "email": email, "type": "click", "timestamp": "2025-04-01T09:00:00Z"}
        for n, email in enumerate(["noemail@shop.com", "family@example.com"])
    ]
    run = imported(web, "events", "".join(json.dumps(line) + "\n" for line in lines).encode(), "c.jsonl")
    assert (run.inserted_rows, run.rejected_rows) == (1, 1) and accounted(run)
    assert rejections(run) == {1: ("email", UNKNOWN_PERSON)}
    # A value shared but not blocked is the resolver's to merge; meanwhile its first holder has it.
    assert Event.objects.get(source=web).profile_id == ada.id


def test_email_opens_take_one_event_type_for_every_row(imported):
    newsletter = DataSourceFactory(name="Newsletter", kind="email", platform="email")
    ProfileFactory(source=newsletter, external_id="S1")
    text = "subscriber_id,sent_at,campaign\nS1,2025-05-01 08:00,MAY\nS1,2025-05-08 08:00,MAY\n"
    run = imported(newsletter, "events", text.encode(), "opens.csv", event_type="email_open")
    assert (run.inserted_rows, run.rejected_rows) == (2, 0), run.error
    assert set(Event.objects.values_list("event_type", "campaign_code")) == {("email_open", "MAY")}
    again = imported(newsletter, "events", text.encode(), "opens.csv", event_type="email_open")
    assert (again.inserted_rows, again.unchanged_rows) == (0, 2)
    assert Event.objects.count() == 2


def test_comments_by_handle_make_profiles_for_new_commenters(instagram, imported):
    text = (
        "comment_id,username,posted_at,comment\n"
        'k1,@Ada_Lovelace,2025-06-01 12:00,"Love it,\nwould buy"\n'
        "k2,https://www.instagram.com/ada_lovelace/,2025-06-01 12:05,Again!\n"
        "k3,,2025-06-01 12:06,Anonymous\n"
    )
    run = imported(instagram, "comments", text.encode(), "comments.csv")
    assert (run.inserted_rows, run.rejected_rows) == (2, 1) and accounted(run)
    commenter = Identity.objects.get(kind="instagram", value="ada_lovelace").profile
    assert commenter.source == instagram
    comments = Event.objects.filter(profile=commenter, event_type="comment").order_by("external_id")
    assert [comment.text for comment in comments] == ["Love it,\nwould buy", "Again!"]
    assert rejections(run)[3][0] == "username"


def test_a_file_of_200_000_rows_in_several_chunks(crm, imported):
    lines = ["customer_id,first_name,email,marketing_consent"]
    for number in range(1, 200_001):
        if number % 50_000 == 0:
            lines.append(f"C{number},Bad,not-an-email,yes")
        elif number % 40_000 == 0:
            lines.append(f"C{number - 39_999},Repeat,,no")  # a key from an earlier chunk
        else:
            lines.append(f"C{number},Person {number},p{number}@example.com,{'yes' if number % 2 else 'no'}")
    run = imported(crm, "profiles", ("\n".join(lines) + "\n").encode())
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert (run.total_rows, run.rejected_rows) == (200_000, 8) and accounted(run)
    assert run.inserted_rows == Profile.objects.filter(source=crm).count() == 199_992
    assert Identity.objects.filter(profile__source=crm).count() == 199_992
    assert rejections(run)[80_000] == ("", "repeats the key of an earlier row")
    assert rejections(run)[150_000] == ("email", "is not an email address")
