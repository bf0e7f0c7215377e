"""Reads for the data-source and import pages and API, each checking who may see what."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count, Max, QuerySet
from django.http import Http404

from governance.models import JobStatus, User
from segments.importing.formats import FileFormat, ImportFileError
from segments.importing.mapping import DEFAULT_EVENT_TYPE
from segments.importing.readers import read_header_and_sample
from segments.importing.validation import ValidationContext, validate_chunk
from segments.models import DataSource, EventType, ImportRun, ImportStatus, Platform, RejectedRow

HANDLE_PLATFORMS = (Platform.INSTAGRAM, Platform.X, Platform.LINKEDIN, Platform.TIKTOK)

VIEW = "segments.view_datasource"
IMPORT = "segments.add_datasource"


def data_source_list() -> QuerySet[DataSource]:
    return DataSource.objects.annotate(
        import_count=Count("imports"), last_import=Max("imports__created_at")
    ).order_by("name")


def data_source_get_for_user(*, user: User, source_id: int, perm: str = VIEW) -> DataSource:
    """The source if the user holds `perm`; 404 otherwise, so its existence is not revealed."""
    if not user.has_perm(perm):
        raise Http404("No such source.")
    try:
        return DataSource.objects.get(id=source_id)
    except DataSource.DoesNotExist as missing:
        raise Http404("No such source.") from missing


def import_run_get_for_user(*, user: User, run_id: int, perm: str = VIEW) -> ImportRun:
    if not user.has_perm(perm):
        raise Http404("No such import.")
    try:
        return ImportRun.objects.select_related("source", "job", "created_by").get(id=run_id)
    except ImportRun.DoesNotExist as missing:
        raise Http404("No such import.") from missing


def import_run_list(*, source: DataSource | None = None) -> QuerySet[ImportRun]:
    runs = ImportRun.objects.select_related("source", "job", "created_by").order_by("-id")
    return runs.filter(source=source) if source else runs


def import_run_status(run: ImportRun) -> tuple[str, str]:
    """(status, error) as the marketer should read them: a run whose job was given up or cancelled
    (a worker lost too often, a cancel) failed, even if the worker never got to say so."""
    job = run.job
    unfinished = run.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
    if unfinished and job and job.is_finished and job.status != JobStatus.SUCCEEDED:
        return (
            ImportStatus.FAILED,
            job.error or "The import stopped before it finished; nothing was kept.",
        )
    return run.status, run.error


def import_samples(*, run: ImportRun, count: int = 3) -> dict[str, list[str]]:
    """A few values of each column, shown beside the mapping choices."""
    file_format = FileFormat(run.file_format, run.encoding, run.delimiter)
    try:
        chunk = read_header_and_sample(Path(run.file.path), file_format, name=run.original_name, rows=count)
    except (ImportFileError, FileNotFoundError, ValueError):
        return {}
    return {header: [value[:80] for value in chunk.frame[header]] for header in chunk.frame.columns}


@dataclass(frozen=True)
class PreviewCell:
    value: str
    error: str


@dataclass(frozen=True)
class Preview:
    headers: list[str]
    fields: list[str]  # the field each column fills, "" when ignored
    rows: list[tuple[int, list[PreviewCell], str]]  # row number, cells, a row-level problem
    rows_with_errors: int
    file_error: str = ""


def import_preview(*, run: ImportRun, rows: int = 20) -> Preview:
    """The first rows as the import would see them, every cell's problem beside it; nothing stored."""
    file_format = FileFormat(run.file_format, run.encoding, run.delimiter)
    try:
        chunk = read_header_and_sample(Path(run.file.path), file_format, name=run.original_name, rows=rows)
    except (ImportFileError, FileNotFoundError, ValueError) as error:
        return Preview([], [], [], 0, file_error=str(error))
    columns = run.mapping.get("columns", {})
    headers = list(chunk.frame.columns)
    validated = validate_chunk(chunk.frame, run.mapping, import_validation_context(run))
    problems: dict[tuple[int, str], str] = {}
    for error in validated.errors.itertuples(index=False):
        problems.setdefault((int(error.row), error.column), error.reason)
    row_problems = {problem.row: problem.reason for problem in chunk.problems}
    shown = []
    for row, values in chunk.frame.iterrows():
        cells = [
            PreviewCell(str(values[header])[:200], problems.get((int(row), header), "")) for header in headers
        ]
        shown.append((int(row), cells, problems.get((int(row), ""), "")))
    shown += [(row, [], reason) for row, reason in row_problems.items()]
    shown.sort(key=lambda item: item[0])
    bad_rows = {row for row, _ in problems} | set(row_problems)
    fields = [columns.get(header, {}).get("field", "") for header in headers]
    return Preview(headers, fields, shown[:rows], len(bad_rows))


def rejected_rows_csv(*, run: ImportRun) -> Iterator[str]:
    """The rejected rows as CSV text, streamed: row number, column, value, reason."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "column", "value", "reason"])
    rows = RejectedRow.objects.filter(run=run).order_by("row_number", "id")
    for number, column, value, reason in rows.values_list("row_number", "column", "value", "reason").iterator(
        chunk_size=5000
    ):
        writer.writerow([number, _inert(column), _inert(value), reason])
        if buffer.tell() > 1 << 16:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _inert(text: str) -> str:
    """A spreadsheet opening the download must not run a cell of someone's file as a formula."""
    risky = text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not text[1:2].isdigit())
    return "'" + text if text and risky else text


def import_validation_context(run: ImportRun) -> ValidationContext:
    """How the run's rows are read: relative times and ages count from the upload."""
    profile_source = run.mapping.get("profile_source_id")
    platform_source = DataSource.objects.filter(id=profile_source).first() if profile_source else None
    platform_source = platform_source or run.source
    return ValidationContext(
        record_kind=run.record_kind,
        now=run.created_at,
        default_region=run.source.default_region or "GB",
        platform=run.source.platform,
        event_type=run.mapping.get("event_type") or DEFAULT_EVENT_TYPE.get(run.record_kind, ""),
        event_types=tuple(EventType.values),
        platforms=tuple(Platform.values),
        handle_kind=platform_source.platform if platform_source.platform in HANDLE_PLATFORMS else "",
    )
