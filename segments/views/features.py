from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from segments.feature_selectors import (
    feature_job_visible,
    feature_jobs_active,
    feature_run_latest,
    interest_topic_get_for_user,
    rfm_group_sizes,
    stability_rows,
)
from segments.forms_features import FeatureSettingsForm, InterestTopicForm
from segments.ml.stability import SHIFT_WARNING
from segments.models import InterestTopic
from segments.services.features import (
    feature_config_current,
    feature_settings_update,
    features_compute_request,
    interest_topic_delete,
    interest_topic_save,
)

EDIT_SETTINGS = "segments.change_datasource"


@login_required
@permission_required("segments.view_profile", raise_exception=True)
def features_view(request: HttpRequest) -> HttpResponse:
    run = feature_run_latest()
    sizes = rfm_group_sizes(run)
    summary = (run.settings_used or {}).get("summary", {}) if run else {}
    context = {
        "run": run,
        "summary": summary,
        "rfm_chart": {"labels": list(sizes), "counts": list(sizes.values())},
        "has_groups": any(sizes.values()),
        "stability": stability_rows(run),
        "shift_warning": SHIFT_WARNING,
        "job": feature_job_visible(user=request.user),
        "running_elsewhere": feature_jobs_active().exists(),
        "settings_form": _settings_form(),
        "topic_form": InterestTopicForm(),
        "topics": InterestTopic.objects.all(),
    }
    return render(request, "segments/features.html", context)


@require_POST
@login_required
@permission_required("governance.add_job", raise_exception=True)
def features_compute_view(request: HttpRequest) -> HttpResponse:
    job = feature_job_visible(user=request.user, job=features_compute_request(actor=request.user))
    if request.htmx:
        if job is None:  # someone else's run was already under way; it is the one that counts
            return render(request, "segments/_feature_job_elsewhere.html")
        return render(request, "governance/_job_progress.html", {"job": job})
    messages.success(request, "Features are being recomputed; this page shows the progress.")
    return redirect("segments:features")


@require_POST
@login_required
@permission_required(EDIT_SETTINGS, raise_exception=True)
def feature_settings_view(request: HttpRequest) -> HttpResponse:
    form = _settings_form(request.POST)
    saved = False
    if form.is_valid():
        feature_settings_update(
            actor=request.user,
            engagement_weights=form.weights(),
            half_life_days=form.cleaned_data["half_life_days"],
            bot_threshold=form.cleaned_data["bot_threshold"],
        )
        saved = True
    context = {"settings_form": form, "saved": saved}
    if request.htmx:
        return render(request, "segments/_feature_settings.html", context)
    if saved:
        messages.success(request, "Settings saved; they apply from the next computation.")
    return redirect("segments:features")


@login_required
@permission_required("segments.view_profile", raise_exception=True)
def interest_topic_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "segments/_interest_topics.html",
        {"topics": InterestTopic.objects.all(), "topic_form": InterestTopicForm()},
    )


@require_POST
@login_required
@permission_required(EDIT_SETTINGS, raise_exception=True)
def interest_topic_add_view(request: HttpRequest) -> HttpResponse:
    form = InterestTopicForm(request.POST)
    if form.is_valid():
        try:
            interest_topic_save(
                actor=request.user, name=form.cleaned_data["name"], keywords=form.cleaned_data["keywords"]
            )
            form = InterestTopicForm()
        except ValueError as error:
            form.add_error("name", str(error))
    status = 200 if not form.errors else 422
    context = {"topics": InterestTopic.objects.all(), "topic_form": form}
    return render(request, "segments/_interest_topics.html", context, status=status)


@login_required
def interest_topic_row_view(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = interest_topic_get_for_user(user=request.user, topic_id=topic_id)
    return render(request, "segments/_interest_topic_row.html", {"topic": topic})


@login_required
def interest_topic_edit_view(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = interest_topic_get_for_user(user=request.user, topic_id=topic_id)
    if not request.user.has_perm(EDIT_SETTINGS):
        return HttpResponse("You may not change the interest taxonomy.", status=403)
    if request.method != "POST":
        form = InterestTopicForm(initial={"name": topic.name, "keywords": ", ".join(topic.keywords)})
        return render(request, "segments/_interest_topic_edit.html", {"topic": topic, "form": form})
    form = InterestTopicForm(request.POST)
    if form.is_valid():
        try:
            topic = interest_topic_save(
                actor=request.user,
                topic=topic,
                name=form.cleaned_data["name"],
                keywords=form.cleaned_data["keywords"],
            )
            return render(request, "segments/_interest_topic_row.html", {"topic": topic})
        except ValueError as error:
            form.add_error("name", str(error))
    return render(request, "segments/_interest_topic_edit.html", {"topic": topic, "form": form}, status=422)


@require_POST
@login_required
def interest_topic_delete_view(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = interest_topic_get_for_user(user=request.user, topic_id=topic_id)
    if not request.user.has_perm(EDIT_SETTINGS):
        return HttpResponse("You may not change the interest taxonomy.", status=403)
    interest_topic_delete(actor=request.user, topic=topic)
    return HttpResponse("")


def _settings_form(data=None) -> FeatureSettingsForm:
    config = feature_config_current()
    initial = {"half_life_days": config.half_life_days, "bot_threshold": config.bot_threshold}
    return FeatureSettingsForm(data, initial=initial, weights=config.engagement_weights)


urlpatterns = [
    path("features/", features_view, name="features"),
    path("features/compute/", features_compute_view, name="features_compute"),
    path("features/settings/", feature_settings_view, name="feature_settings"),
    path("features/topics/", interest_topic_list_view, name="interest_topics"),
    path("features/topics/add/", interest_topic_add_view, name="interest_topic_add"),
    path("features/topics/<int:topic_id>/", interest_topic_row_view, name="interest_topic_row"),
    path("features/topics/<int:topic_id>/edit/", interest_topic_edit_view, name="interest_topic_edit"),
    path("features/topics/<int:topic_id>/delete/", interest_topic_delete_view, name="interest_topic_delete"),
]
