"""Segmentation pages: the list, creating and changing a segmentation, starting a run, a run's
detail (the k charts and the reasons for the recommended k, the pictures, the segment cards with
rename), and drift alerts. A clustered segment's own page is the segments' detail page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from segments.clustering_selectors import (
    clustering_run_charts,
    clustering_run_get,
    clustering_run_job_visible,
    clustering_run_versions,
    clustering_runs,
    drift_alerts,
    segmentation_get_for_user,
    segmentation_list,
    segmentation_size_history,
)
from segments.forms_clustering import ALGORITHM_LABELS, SegmentationForm
from segments.ml.clustering_config import ClusteringConfig
from segments.ml.feature_words import feature_noun
from segments.models import Segmentation
from segments.segment_selectors import segment_get_for_user
from segments.services.clustering_runs import clustering_run_request
from segments.services.clustering_segmentations import (
    clustered_segment_rename,
    clustering_sensitivity,
    segmentation_create,
    segmentation_update,
)
from segments.services.drift import drift_alert_acknowledge
from segments.services.rule_segment_checks import SegmentRefused

VIEW = "segments.view_segmentation"
ADD = "segments.add_segmentation"
CHANGE = "segments.change_segmentation"


@login_required
@permission_required(VIEW, raise_exception=True)
def segmentation_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "segments/clustering_list.html",
        {"segmentations": list(segmentation_list(user=request.user))},
    )


@login_required
@permission_required(ADD, raise_exception=True)
def segmentation_create_view(request: HttpRequest) -> HttpResponse:
    form = SegmentationForm(request.POST or None, initial={"scaling": "standard", "preset": "rfm"})
    if request.method == "POST" and form.is_valid():
        try:
            segmentation = segmentation_create(actor=request.user, **form.service_arguments())
        except SegmentRefused as refused:
            form.add_error(refused.field, str(refused))
        else:
            messages.success(request, "Saved. Run it to see its segments.")
            return redirect("segments:segmentation_detail", segmentation.id)
    return render(request, "segments/clustering_form.html", {"form": form})


@login_required
def segmentation_edit_view(request: HttpRequest, segmentation_id: int) -> HttpResponse:
    segmentation = _changeable(request, segmentation_id)
    form = SegmentationForm(request.POST or None, initial=SegmentationForm.initial_for(segmentation))
    if request.method == "POST" and form.is_valid():
        try:
            segmentation_update(actor=request.user, segmentation=segmentation, **form.service_arguments())
        except SegmentRefused as refused:
            form.add_error(refused.field, str(refused))
        else:
            messages.success(request, "Saved. The next run uses the new settings.")
            return redirect("segments:segmentation_detail", segmentation.id)
    return render(request, "segments/clustering_form.html", {"form": form, "segmentation": segmentation})


@login_required
def segmentation_detail_view(request: HttpRequest, segmentation_id: int) -> HttpResponse:
    segmentation = segmentation_get_for_user(user=request.user, segmentation_id=segmentation_id)
    runs = clustering_runs(segmentation=segmentation)
    config = ClusteringConfig.from_dict(segmentation.config)
    sensitivity, reason = clustering_sensitivity(config=config)
    context = {
        "segmentation": segmentation,
        "config": config,
        "feature_names": [feature_noun(name) for name in config.resolved_features],
        "algorithm": ALGORITHM_LABELS[config.algorithm],
        "sensitivity": sensitivity,
        "sensitivity_reason": reason,
        "runs": runs,
        "job": clustering_run_job_visible(user=request.user, run=runs[0]) if runs else None,
        "alerts": drift_alerts(segmentation=segmentation),
        "size_history": segmentation_size_history(segmentation=segmentation),
        "can_change": request.user.has_perm(CHANGE),
    }
    return render(request, "segments/clustering_detail.html", context)


@require_POST
@login_required
def clustering_run_request_view(request: HttpRequest, segmentation_id: int) -> HttpResponse:
    segmentation = _changeable(request, segmentation_id)
    repeat = request.POST.get("repeat", "")
    config = (
        clustering_run_get(segmentation=segmentation, run_id=int(repeat)).config if repeat.isdigit() else None
    )
    run = clustering_run_request(segmentation=segmentation, actor=request.user, config=config)
    job = clustering_run_job_visible(user=request.user, run=run)
    if request.htmx and job is not None:
        return render(request, "governance/_job_progress.html", {"job": job})
    messages.success(request, "The clustering run is under way; this page shows its progress.")
    return redirect("segments:segmentation_detail", segmentation.id)


@login_required
def clustering_run_detail_view(request: HttpRequest, segmentation_id: int, run_id: int) -> HttpResponse:
    segmentation = segmentation_get_for_user(user=request.user, segmentation_id=segmentation_id)
    run = clustering_run_get(segmentation=segmentation, run_id=run_id)
    versions = clustering_run_versions(run=run)
    context = {
        "segmentation": segmentation,
        "run": run,
        "versions": versions,
        "charts": clustering_run_charts(run=run, versions=versions),
        "job": clustering_run_job_visible(user=request.user, run=run),
        "can_rename": request.user.has_perm("segments.change_segment"),
        "can_change": request.user.has_perm(CHANGE),
    }
    return render(request, "segments/clustering_run.html", context)


@require_POST
@login_required
def clustered_segment_rename_view(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = segment_get_for_user(user=request.user, segment_id=segment_id)
    if not request.user.has_perm("segments.change_segment"):
        raise PermissionDenied
    problem = ""
    try:
        segment = clustered_segment_rename(
            actor=request.user, segment=segment, name=request.POST.get("name", "")
        )
    except SegmentRefused as refused:
        problem = str(refused)
        segment.refresh_from_db()
    if request.htmx:
        return render(
            request,
            "segments/_clustering_rename.html",
            {"segment": segment, "problem": problem, "can_rename": True},
        )
    if problem:
        messages.error(request, problem)
    return redirect("segments:segment_detail", segment.id)


@require_POST
@login_required
def drift_alert_acknowledge_view(request: HttpRequest, segmentation_id: int, alert_id: int) -> HttpResponse:
    segmentation = _changeable(request, segmentation_id)
    alert = get_object_or_404(segmentation.alerts, id=alert_id)
    alert = drift_alert_acknowledge(alert=alert, actor=request.user)
    if request.htmx:
        return render(request, "segments/_drift_alert.html", {"alert": alert, "can_change": True})
    return redirect("segments:segmentation_detail", segmentation.id)


def _changeable(request: HttpRequest, segmentation_id: int) -> Segmentation:
    segmentation = segmentation_get_for_user(user=request.user, segmentation_id=segmentation_id)
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    return segmentation


urlpatterns = [
    path("segmentations/", segmentation_list_view, name="segmentation_list"),
    path("segmentations/new/", segmentation_create_view, name="segmentation_create"),
    path("segmentations/<int:segmentation_id>/", segmentation_detail_view, name="segmentation_detail"),
    path(
        "segmentations/<int:segmentation_id>/alerts/<int:alert_id>/acknowledge/",
        drift_alert_acknowledge_view,
        name="drift_alert_acknowledge",
    ),
    path("segmentations/<int:segmentation_id>/edit/", segmentation_edit_view, name="segmentation_edit"),
    path(
        "segmentations/<int:segmentation_id>/run/", clustering_run_request_view, name="clustering_run_request"
    ),
    path(
        "segmentations/<int:segmentation_id>/runs/<int:run_id>/",
        clustering_run_detail_view,
        name="clustering_run_detail",
    ),
    path("segments/<int:segment_id>/rename/", clustered_segment_rename_view, name="clustered_segment_rename"),
]
