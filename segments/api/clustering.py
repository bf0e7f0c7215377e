"""Segmentations and their clustering runs over the API: list, create and change segmentations,
start a run (a job on the "ml" queue), read runs with their k choice, stability and charts' data,
each run's segment cards, drift alerts, and rename a clustered segment. A segment's versions and its
members (keyset pages, `min_confidence`) are in segments.api.segment_versions.

Settings are ClusteringConfig as JSON; unknown or invalid settings answer 400 saying which."""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import requires
from governance.api import JobProgressOutput
from segments.clustering_selectors import (
    clustering_run_get,
    clustering_run_status,
    clustering_run_versions,
    drift_alerts,
    segmentation_get_for_user,
    segmentation_list,
)
from segments.ml.clustering_config import ClusteringConfig
from segments.models import ClusteringRun, DriftAlert, Schedule, Segmentation
from segments.segment_selectors import segment_get_for_user
from segments.services.clustering_runs import clustering_run_request
from segments.services.clustering_segmentations import (
    clustered_segment_rename,
    segmentation_create,
    segmentation_update,
)
from segments.services.drift import drift_alert_acknowledge
from segments.services.rule_segment_checks import SegmentRefused

ADD = "segments.add_segmentation"
CHANGE = "segments.change_segmentation"


class ClusteringErrors:
    def handle_exception(self, exc):
        if isinstance(exc, SegmentRefused):
            exc = ValidationError({exc.field: [str(exc)]})
        return super().handle_exception(exc)


SCHEDULE_HELP = "never, daily, weekly or monthly: how often the segmentation re-clusters itself."


class SegmentationOutput(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    # Plain strings in the schema: enums would collide with rule segments' refresh schedules and kinds.
    schedule = serializers.CharField(help_text=SCHEDULE_HELP)

    class Meta:
        model = Segmentation
        fields = [
            "id",
            "name",
            "description",
            "owner",
            "config",
            "schedule",
            "next_run_at",
            "current_run",
            "size_change_alert",
            "psi_alert",
            "stability_alert",
            "created_at",
            "updated_at",
        ]


class SegmentationSaveInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    config = serializers.JSONField(
        help_text='ClusteringConfig settings, e.g. {"preset": "rfm", "algorithm": "kmeans", "k_max": 8}.'
    )
    schedule = serializers.CharField(default=Schedule.NEVER, help_text=SCHEDULE_HELP)
    size_change_alert = serializers.FloatField(min_value=0, default=0.2)
    psi_alert = serializers.FloatField(min_value=0, default=0.25)
    stability_alert = serializers.FloatField(min_value=0, max_value=1, default=0.6)

    def validate_schedule(self, value):
        if value not in Schedule.values:
            raise ValidationError(f"Choose one of {', '.join(Schedule.values)}.")
        return value

    def validate_config(self, value):
        if not isinstance(value, dict):
            raise ValidationError("Give the settings as an object.")
        try:
            return ClusteringConfig.from_dict(value)
        except (TypeError, ValueError) as wrong:
            raise ValidationError(str(wrong)) from wrong

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        data["thresholds"] = {
            name: data.pop(name) for name in ("size_change_alert", "psi_alert", "stability_alert")
        }
        return data


class SegmentationListApi(ClusteringErrors, generics.ListAPIView):
    """Segmentations by name; POST creates one (runs are started apart)."""

    serializer_class = SegmentationOutput
    queryset = Segmentation.objects.none()  # model permissions: reading needs view, creating add

    def get_queryset(self):
        return segmentation_list(user=self.request.user)

    @extend_schema(request=SegmentationSaveInput, responses={201: SegmentationOutput})
    def post(self, request):
        data = SegmentationSaveInput(data=request.data)
        data.is_valid(raise_exception=True)
        segmentation = segmentation_create(actor=request.user, **data.service_arguments())
        return Response(SegmentationOutput(segmentation).data, status=status.HTTP_201_CREATED)


class SegmentationDetailApi(ClusteringErrors, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SegmentationOutput)
    def get(self, request, segmentation_id: int):
        segmentation = segmentation_get_for_user(user=request.user, segmentation_id=segmentation_id)
        return Response(SegmentationOutput(segmentation).data)

    @extend_schema(request=SegmentationSaveInput, responses=SegmentationOutput)
    def put(self, request, segmentation_id: int):
        segmentation = _changeable(request, segmentation_id)
        data = SegmentationSaveInput(data=request.data)
        data.is_valid(raise_exception=True)
        segmentation = segmentation_update(
            actor=request.user, segmentation=segmentation, **data.service_arguments()
        )
        return Response(SegmentationOutput(segmentation).data)


class ClusteringRunOutput(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(help_text="pending, running, succeeded or failed.")
    job = JobProgressOutput(allow_null=True)

    class Meta:
        model = ClusteringRun
        fields = [
            "id",
            "segmentation",
            "status",
            "config",
            "chosen_k",
            "recommendation",
            "stability",
            "profiles_used",
            "outliers",
            "error",
            "job",
            "created_at",
            "finished_at",
        ]

    def get_status(self, run) -> str:
        return clustering_run_status(run)


class ClusteringRunDetailOutput(ClusteringRunOutput):
    class Meta(ClusteringRunOutput.Meta):
        fields = [*ClusteringRunOutput.Meta.fields, "metrics", "projection", "lineage"]


class ClusteringRunRequestInput(serializers.Serializer):
    repeat = serializers.IntegerField(
        required=False, help_text="An earlier run's id: run again with exactly its settings and seed."
    )


class ClusteringRunListApi(APIView):
    """A segmentation's runs, newest first; POST starts one (202, with its job to follow)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ClusteringRunOutput(many=True))
    def get(self, request, segmentation_id: int):
        segmentation = segmentation_get_for_user(user=request.user, segmentation_id=segmentation_id)
        runs = segmentation.runs.select_related("job", "job__requested_by")[:100]
        return Response(ClusteringRunOutput(runs, many=True).data)

    @extend_schema(request=ClusteringRunRequestInput, responses={202: ClusteringRunOutput})
    def post(self, request, segmentation_id: int):
        segmentation = _changeable(request, segmentation_id)
        data = ClusteringRunRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        config = None
        if "repeat" in data.validated_data:
            config = clustering_run_get(
                segmentation=segmentation, run_id=data.validated_data["repeat"]
            ).config
        run = clustering_run_request(segmentation=segmentation, actor=request.user, config=config)
        return Response(ClusteringRunOutput(run).data, status=status.HTTP_202_ACCEPTED)


class ClusteringRunDetailApi(APIView):
    """One run: the metrics per k, the recommendation and its reasons, stability, the scatter sample."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ClusteringRunDetailOutput)
    def get(self, request, segmentation_id: int, run_id: int):
        segmentation = segmentation_get_for_user(user=request.user, segmentation_id=segmentation_id)
        run = clustering_run_get(segmentation=segmentation, run_id=run_id)
        return Response(ClusteringRunDetailOutput(run).data)


class SegmentCardOutput(serializers.Serializer):
    segment = serializers.IntegerField(source="segment_id")
    name = serializers.CharField(source="segment.name")
    version = serializers.IntegerField(source="id")
    size = serializers.IntegerField()
    card = serializers.JSONField()


class ClusteringRunCardsApi(APIView):
    """The profile card of each segment the run wrote, largest first."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SegmentCardOutput(many=True))
    def get(self, request, segmentation_id: int, run_id: int):
        segmentation = segmentation_get_for_user(user=request.user, segmentation_id=segmentation_id)
        run = clustering_run_get(segmentation=segmentation, run_id=run_id)
        return Response(SegmentCardOutput(clustering_run_versions(run=run), many=True).data)


class DriftAlertOutput(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="size, feature or stability.")

    class Meta:
        model = DriftAlert
        fields = ["id", "kind", "segment", "message", "value", "threshold", "created_at", "acknowledged_at"]


class DriftAlertListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=DriftAlertOutput(many=True))
    def get(self, request, segmentation_id: int):
        segmentation = segmentation_get_for_user(user=request.user, segmentation_id=segmentation_id)
        return Response(DriftAlertOutput(drift_alerts(segmentation=segmentation), many=True).data)


class DriftAlertAcknowledgeApi(APIView):
    permission_classes = [requires(CHANGE)]

    @extend_schema(request=None, responses=DriftAlertOutput)
    def post(self, request, segmentation_id: int, alert_id: int):
        segmentation = segmentation_get_for_user(user=request.user, segmentation_id=segmentation_id)
        alert = get_object_or_404(segmentation.alerts, id=alert_id)
        return Response(DriftAlertOutput(drift_alert_acknowledge(alert=alert, actor=request.user)).data)


class SegmentRenameInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)


class SegmentRenameOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ClusteredSegmentRenameApi(ClusteringErrors, APIView):
    """Give a clustered segment the marketer's name (blocked terms refused); it survives re-clustering."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=SegmentRenameInput, responses=SegmentRenameOutput)
    def post(self, request, segment_id: int):
        segment = segment_get_for_user(user=request.user, segment_id=segment_id)
        if not request.user.has_perm("segments.change_segment"):
            raise PermissionDenied()
        data = SegmentRenameInput(data=request.data)
        data.is_valid(raise_exception=True)
        segment = clustered_segment_rename(
            actor=request.user, segment=segment, name=data.validated_data["name"]
        )
        return Response(SegmentRenameOutput(segment).data)


def _changeable(request, segmentation_id: int) -> Segmentation:
    segmentation = segmentation_get_for_user(user=request.user, segmentation_id=segmentation_id)
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied()
    return segmentation


urlpatterns = [
    path("segmentations/", SegmentationListApi.as_view(), name="api_segmentations"),
    path("segmentations/<int:segmentation_id>/", SegmentationDetailApi.as_view(), name="api_segmentation"),
    path(
        "segmentations/<int:segmentation_id>/runs/",
        ClusteringRunListApi.as_view(),
        name="api_clustering_runs",
    ),
    path(
        "segmentations/<int:segmentation_id>/runs/<int:run_id>/",
        ClusteringRunDetailApi.as_view(),
        name="api_clustering_run",
    ),
    path(
        "segmentations/<int:segmentation_id>/runs/<int:run_id>/cards/",
        ClusteringRunCardsApi.as_view(),
        name="api_clustering_run_cards",
    ),
    path("segmentations/<int:segmentation_id>/alerts/", DriftAlertListApi.as_view(), name="api_drift_alerts"),
    path(
        "segmentations/<int:segmentation_id>/alerts/<int:alert_id>/acknowledge/",
        DriftAlertAcknowledgeApi.as_view(),
        name="api_drift_alert_acknowledge",
    ),
    path("segments/<int:segment_id>/rename/", ClusteredSegmentRenameApi.as_view(), name="api_segment_rename"),
]
