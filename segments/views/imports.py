from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from segments.forms_imports import DataSourceForm, ImportMappingForm, ImportUploadForm
from segments.import_selectors import (
    IMPORT,
    VIEW,
    data_source_get_for_user,
    data_source_list,
    import_preview,
    import_run_get_for_user,
    import_run_list,
    import_run_status,
    import_samples,
    rejected_rows_csv,
)
from segments.importing.formats import ImportFileError
from segments.models import ImportStatus
from segments.services.imports import (
    data_source_create,
    import_mapping_save,
    import_run_create,
    import_run_start,
)

EDITABLE = (ImportStatus.UPLOADED, ImportStatus.FAILED)


@login_required
@permission_required(VIEW, raise_exception=True)
def source_list_view(request: HttpRequest) -> HttpResponse:
    form = DataSourceForm()
    if request.method == "POST":
        if not request.user.has_perm(IMPORT):
            return HttpResponse("You may not add data sources.", status=403)
        form = DataSourceForm(request.POST)
        if form.is_valid():
            try:
                source = data_source_create(actor=request.user, **form.cleaned_data)
                messages.success(request, f"Source “{source.name}” added; upload its first file below.")
                return redirect("segments:source_detail", source_id=source.id)
            except ValidationError as error:
                form.add_error(None, error)
    status = 422 if form.errors else 200
    return render(
        request, "segments/source_list.html", {"sources": data_source_list(), "form": form}, status=status
    )


@login_required
def source_detail_view(request: HttpRequest, source_id: int) -> HttpResponse:
    source = data_source_get_for_user(user=request.user, source_id=source_id)
    form = ImportUploadForm()
    if request.method == "POST":
        if not request.user.has_perm(IMPORT):
            return HttpResponse("You may not import data.", status=403)
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                run = import_run_create(
                    source=source,
                    record_kind=form.cleaned_data["record_kind"],
                    upload=form.cleaned_data["file"],
                    actor=request.user,
                )
                return redirect("segments:import_mapping", run_id=run.id)
            except ImportFileError as error:
                form.add_error("file", str(error))
    runs = [(run, *import_run_status(run)) for run in import_run_list(source=source)[:100]]
    context = {"source": source, "form": form, "runs": runs}
    return render(request, "segments/source_detail.html", context, status=422 if form.errors else 200)


@login_required
def import_mapping_view(request: HttpRequest, run_id: int) -> HttpResponse:
    run = import_run_get_for_user(user=request.user, run_id=run_id, perm=IMPORT)
    if run.status not in EDITABLE:
        return redirect("segments:import_detail", run_id=run.id)
    form = ImportMappingForm(request.POST or None, run=run)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            import_mapping_save(run=run, mapping=form.mapping(), actor=request.user)
            return redirect("segments:import_preview", run_id=run.id)
        except ValidationError as error:
            problems = error.messages
    context = {"run": run, "rows": form.rows(import_samples(run=run)), "form": form, "problems": problems}
    return render(request, "segments/import_mapping.html", context, status=422 if problems else 200)


@login_required
def import_preview_view(request: HttpRequest, run_id: int) -> HttpResponse:
    run = import_run_get_for_user(user=request.user, run_id=run_id, perm=IMPORT)
    context = {"run": run, "preview": import_preview(run=run), "editable": run.status in EDITABLE}
    return render(request, "segments/import_preview.html", context)


@require_POST
@login_required
def import_start_view(request: HttpRequest, run_id: int) -> HttpResponse:
    run = import_run_get_for_user(user=request.user, run_id=run_id, perm=IMPORT)
    if not request.user.has_perm("governance.add_job"):
        return HttpResponse("You may not start jobs.", status=403)
    try:
        import_run_start(run=run, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("segments:import_mapping", run_id=run.id)
    messages.success(request, "The import has started; this page shows its progress.")
    return redirect("segments:import_detail", run_id=run.id)


@login_required
def import_detail_view(request: HttpRequest, run_id: int) -> HttpResponse:
    run = import_run_get_for_user(user=request.user, run_id=run_id)
    status, error = import_run_status(run)
    specs = run.mapping.get("columns", {})
    columns = [(header, specs[header]) for header in run.mapping.get("headers") or specs if header in specs]
    context = {
        "run": run,
        "status": status,
        "error": error,
        "job": run.job,
        "columns": columns,
        "can_import": request.user.has_perm(IMPORT),
    }
    return render(request, "segments/import_detail.html", context)


@login_required
def import_rejected_download_view(request: HttpRequest, run_id: int) -> StreamingHttpResponse:
    run = import_run_get_for_user(user=request.user, run_id=run_id)
    response = StreamingHttpResponse(rejected_rows_csv(run=run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.id}-rejected-rows.csv"'
    return response


urlpatterns = [
    path("sources/", source_list_view, name="source_list"),
    path("sources/<int:source_id>/", source_detail_view, name="source_detail"),
    path("imports/<int:run_id>/", import_detail_view, name="import_detail"),
    path("imports/<int:run_id>/mapping/", import_mapping_view, name="import_mapping"),
    path("imports/<int:run_id>/preview/", import_preview_view, name="import_preview"),
    path("imports/<int:run_id>/start/", import_start_view, name="import_start"),
    path("imports/<int:run_id>/rejected.csv", import_rejected_download_view, name="import_rejected_download"),
]
