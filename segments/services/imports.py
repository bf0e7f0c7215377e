"""Data sources and imports: upload, map, start, and the job's work."""

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from governance.models import Job, User
from governance.services.audit import audit_record
from governance.services.jobs import JobCancelled, JobReporter, JobSuperseded, job_request
from segments.import_selectors import HANDLE_PLATFORMS, import_validation_context
from segments.importing.formats import ImportFileError, detect_format
from segments.importing.mapping import (
    PROFILE_KEY_FIELDS,
    mapping_problems,
    suggest_mapping,
    targets_for,
)
from segments.importing.readers import read_header_and_sample
from segments.ml.identifiers import phone_region
from segments.models import DataSource, EventType, ImportMapping, ImportRun, ImportStatus
from segments.services.import_merge import import_rows_merge

MAX_UPLOAD_BYTES = 2 * 1024**3
TASK_NAME = "segments.import_run_execute"


@transaction.atomic
def data_source_create(
    *, name: str, kind: str, platform: str, default_region: str, actor: User
) -> DataSource:
    if DataSource.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": "A source with this name already exists."})
    try:
        region = phone_region(default_region)
    except ValueError as unknown_region:
        raise ValidationError({"default_region": str(unknown_region)}) from unknown_region
    source = DataSource.objects.create(name=name.strip(), kind=kind, platform=platform, default_region=region)
    audit_record(actor=actor, action="datasource.created", subject=source, details={"kind": kind})
    return source


def import_run_create(
    *,
    source: DataSource,
    record_kind: str,
    actor: User | None,
    upload: File | None = None,
    records: list[dict[str, Any]] | None = None,
) -> ImportRun:
    """Store the upload (or the API's records, as JSON lines), check that it can be read, and
    suggest a mapping; ImportFileError says what is wrong with a file that cannot be imported."""
    if upload is None:
        lines = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records or [])
        upload = ContentFile(lines.encode(), name="records.jsonl")
    name = Path(upload.name or "upload").name
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ImportFileError(f"The file is larger than {MAX_UPLOAD_BYTES // 1024**3} GB.", file_name=name)
    # The name is kept whole in original_name; the stored one is cut to fit the file column.
    safe = Path(get_valid_filename(name))
    stored = default_storage.save(
        f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}-{safe.stem[:30]}{safe.suffix[:10]}", upload
    )
    try:
        path = Path(default_storage.path(stored))
        file_format = detect_format(path, name=name)
        sample = read_header_and_sample(path, file_format, name=name)
    except ImportFileError:
        default_storage.delete(stored)
        raise
    saved = ImportMapping.objects.filter(source=source, record_kind=record_kind).first()
    now = timezone.now()
    columns = suggest_mapping(
        sample.frame, record_kind=record_kind, saved=saved.columns if saved else None, today_year=now.year
    )
    # jsonb keeps no key order: the file's column order is kept apart, for the pages.
    mapping = {
        "headers": list(sample.frame.columns),
        "columns": columns,
        "event_type": "",
        "profile_source_id": None,
    }
    with transaction.atomic():
        run = ImportRun.objects.create(
            source=source,
            record_kind=record_kind,
            file=stored,
            original_name=name[:255],
            size_bytes=path.stat().st_size,
            sha256=_sha256(path),
            file_format=file_format.kind,
            encoding=file_format.encoding,
            delimiter=file_format.delimiter,
            mapping=mapping,
            created_by=actor,
        )
        audit_record(actor=actor, action="import.uploaded", subject=run, details={"format": file_format.kind})
    return run


@transaction.atomic
def import_mapping_save(*, run: ImportRun, mapping: dict, actor: User | None) -> ImportRun:
    """Check and keep the marketer's mapping, for this run and as the source's for next time."""
    if run.status not in (ImportStatus.UPLOADED, ImportStatus.FAILED):
        raise ValidationError("This import has started; its mapping can no longer change.")
    columns = {
        header: {key: spec.get(key, "") for key in ("field", "type", "date_format", "note")}
        for header, spec in mapping.get("columns", {}).items()
        if header in run.mapping.get("columns", {})
    }
    targets = targets_for(run.record_kind)
    for spec in columns.values():
        if spec["field"] in targets and not spec["type"]:
            # Read as the field usually is, and checked so: never stored as raw text.
            spec["type"] = targets[spec["field"]].types[0]
    cleaned = {
        "headers": run.mapping.get("headers") or list(columns),
        "columns": columns,
        "event_type": mapping.get("event_type") or "",
        "profile_source_id": _source_id(mapping.get("profile_source_id")),
    }
    problems = mapping_problems(cleaned, record_kind=run.record_kind) + _source_problems(run, cleaned)
    if problems:
        raise ValidationError(problems)
    run.mapping = cleaned
    run.save(update_fields=["mapping", "updated_at"])
    kept = {header: {k: v for k, v in spec.items() if k != "note"} for header, spec in columns.items()}
    ImportMapping.objects.update_or_create(
        source=run.source, record_kind=run.record_kind, defaults={"columns": kept}
    )
    audit_record(actor=actor, action="import.mapped", subject=run)
    return run


def _source_id(value: Any) -> int | None:
    """Kept as a number, however sent: erasure finds the file's rejected rows by it."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as not_a_number:
        raise ValidationError("The source of the customer ids must be given by its id.") from not_a_number


def _source_problems(run: ImportRun, mapping: dict) -> list[str]:
    chosen = {spec["field"] for spec in mapping["columns"].values() if spec.get("field")}
    problems = []
    if "profile_handle" in chosen and run.source.platform not in HANDLE_PLATFORMS:
        problems.append("Handles can be matched only in a source of a social platform (Instagram, X, ...).")
    source_id = mapping.get("profile_source_id")
    if source_id and not DataSource.objects.filter(id=source_id).exists():
        problems.append("The source of the customer ids does not exist.")
    if mapping.get("event_type") and mapping["event_type"] not in EventType.values:
        problems.append(f"“{mapping['event_type']}” is not an event type.")
    return problems


@transaction.atomic
def import_run_start(*, run: ImportRun, actor: User | None) -> ImportRun:
    """Queue the import as a job on the "imports" queue; a failed import may be started again."""
    run = ImportRun.objects.select_for_update().get(id=run.id)
    if run.status not in (ImportStatus.UPLOADED, ImportStatus.FAILED):
        raise ValidationError("This import has already been started.")
    problems = mapping_problems(run.mapping, record_kind=run.record_kind) + _source_problems(run, run.mapping)
    if problems:
        raise ValidationError(problems)
    job = job_request(
        task_name=TASK_NAME,
        title=f"Import {run.original_name} into {run.source.name}"[:200],
        actor=actor,
        params={"run_id": run.id},
        queue="imports",
    )
    ImportRun.objects.filter(id=run.id).update(
        job=job, status=ImportStatus.QUEUED, error="", finished_at=None, **dict.fromkeys(_COUNTS, 0)
    )
    audit_record(actor=actor, action="import.started", subject=run, details={"job": job.id})
    run.refresh_from_db()
    return run


_COUNTS = ("total_rows", "inserted_rows", "updated_rows", "unchanged_rows", "rejected_rows")


def import_run_execute(*, run_id: int, reporter: JobReporter | None = None) -> dict[str, int]:
    """The job's work: every row merged, or nothing at all (one transaction)."""
    progress = reporter.progress if reporter else (lambda percent, message="": None)
    run = ImportRun.objects.select_related("source").get(id=run_id)
    if run.status == ImportStatus.SUCCEEDED:  # a retried job whose first attempt finished the work
        return {field.removesuffix("_rows"): getattr(run, field) for field in _COUNTS}
    ImportRun.objects.using("jobs").filter(id=run_id).update(status=ImportStatus.RUNNING, error="")
    try:
        with transaction.atomic():
            progress(1, "Reading the file")
            counts = import_rows_merge(
                run=run,
                context=import_validation_context(run),
                key_column=_key_header(run.mapping),
                progress=progress,
            )
            fields = counts.as_fields()
            ImportRun.objects.filter(id=run.id).update(
                **fields, status=ImportStatus.SUCCEEDED, error="", finished_at=timezone.now()
            )
            audit_record(actor=run.created_by, action="import.finished", subject=run, details=fields)
    except JobSuperseded:
        raise  # the attempt that owns the job now runs the import; the run is its to report
    except JobCancelled:
        _failed(run_id, "Cancelled; nothing from this file was kept.")
        raise
    except ImportFileError as error:
        _failed(run_id, f"{error} Nothing from this file was kept.")
        raise
    except Exception as error:
        _failed(run_id, f"The import failed and nothing from it was kept: {error}")
        raise
    return {key.removesuffix("_rows"): value for key, value in fields.items()}


def _failed(run_id: int, message: str) -> None:
    run = ImportRun.objects.get(id=run_id)
    audit_record(actor=run.created_by, action="import.failed", subject=run, details={"error": message[:300]})
    ImportRun.objects.filter(id=run_id).update(
        status=ImportStatus.FAILED,
        error=message[:2000],
        finished_at=timezone.now(),
        **dict.fromkeys(_COUNTS, 0),
    )


def import_run_execute_work(job: Job, reporter: JobReporter) -> dict[str, int]:
    return import_run_execute(run_id=job.params["run_id"], reporter=reporter)


def _key_header(mapping: dict) -> str:
    for field in PROFILE_KEY_FIELDS:
        for header, spec in mapping.get("columns", {}).items():
            if spec.get("field") == field:
                return header[:255]
    return ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
