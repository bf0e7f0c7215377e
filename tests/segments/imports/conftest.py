from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from segments.models import ImportRun
from segments.services.imports import import_mapping_save, import_run_create, import_run_execute
from tests.factories import DataSourceFactory

SAMPLES = Path("/work/shared/samples")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def crm():
    return DataSourceFactory(name="Test CRM", kind="crm", platform="crm")


@pytest.fixture
def instagram():
    return DataSourceFactory(name="Instagram", kind="social", platform="instagram")


@pytest.fixture
def upload():
    def make(source, kind: str, content: bytes, name: str = "data.csv", actor=None) -> ImportRun:
        return import_run_create(
            source=source, record_kind=kind, actor=actor, upload=SimpleUploadedFile(name, content)
        )

    return make


@pytest.fixture
def imported(upload):
    """Upload, accept the suggested mapping (with changes), run: the finished run."""

    def run(source, kind: str, content: bytes, name: str = "data.csv", **changes) -> ImportRun:
        created = upload(source, kind, content, name)
        mapping = created.mapping
        for header, field in changes.pop("fields", {}).items():
            mapping["columns"][header]["field"] = field
        mapping.update(changes)
        import_mapping_save(run=created, mapping=mapping, actor=None)
        import_run_execute(run_id=created.id)
        created.refresh_from_db()
        return created

    return run
