"""Segments over the API: list (both kinds) and create rule segments, read and change one, preview a
definition's size, start a refresh, and read the field catalogue. Versions, members and comparisons
are in segments.api.segment_versions.

An invalid definition answers 400 in the one error format, its message naming the offending parts
("rules[1].value: Choose at least one value.") and `fields` holding each under "definition.<path>"."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import ChangedMeanwhile
from governance.api import JobOutput
from segments.api import segment_versions
from segments.models import Schedule, Segment, SegmentKind, SegmentVersion
from segments.rule_segment_selectors import sensitive_attributes
from segments.rules.catalogue import catalogue_as_dicts
from segments.rules.validation import DefinitionInvalid
from segments.segment_selectors import segment_get_for_user, segment_list
from segments.services.rule_segment_checks import SegmentRefused
from segments.services.rule_segment_refresh import rule_segment_refresh_request
from segments.services.rule_segments import (
    PreviewTimedOut,
    rule_segment_create,
    rule_segment_preview,
    rule_segment_update,
)

ADD = "segments.add_segment"
CHANGE = "segments.change_segment"


class DefinitionRejected(ValidationError):
    def __init__(self, invalid: DefinitionInvalid) -> None:
        fields: dict[str, list[str]] = {}
        for error in invalid.errors:
            fields.setdefault(f"definition.{error.path}" if error.path else "definition", []).append(
                error.message
            )
        super().__init__(fields)
        self.summary = f"The rule definition is not valid: {invalid}"


class PreviewTooSlow(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "preview_timed_out"


class SegmentErrors:
    """Turns the services' refusals into the one error format, naming the rule paths at fault."""

    def handle_exception(self, exc):
        if isinstance(exc, DefinitionInvalid):
            exc = DefinitionRejected(exc)
        elif isinstance(exc, SegmentRefused) and not isinstance(exc, ChangedMeanwhile):  # that one is a 409
            exc = ValidationError({exc.field: [str(exc)]})
        elif isinstance(exc, PreviewTimedOut):
            exc = PreviewTooSlow(str(exc))
        response = super().handle_exception(exc)
        if isinstance(exc, DefinitionRejected):
            response.data["error"]["message"] = exc.summary
        return response


class SegmentVersionSummary(serializers.ModelSerializer):
    class Meta:
        model = SegmentVersion
        fields = ["id", "number", "size", "created_at"]


class SegmentOutput(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    # A plain string in the schema: an enum named "kind" would collide with the data sources' own.
    kind = serializers.CharField(help_text='"rule" or "cluster".')
    current_version = SegmentVersionSummary(allow_null=True)

    class Meta:
        model = Segment
        fields = [
            "id",
            "name",
            "description",
            "kind",
            "sensitivity",
            "sensitivity_reason",
            "owner",
            "definition",
            "segmentation",
            "cluster_key",
            "refresh_schedule",
            "current_version",
            "created_at",
            "updated_at",
        ]


class SegmentSaveInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    definition = serializers.JSONField(help_text='The rule tree: {"op": "and"|"or", "rules": [...]}.')
    refresh_schedule = serializers.ChoiceField(choices=Schedule.choices, default=Schedule.NEVER)


class SegmentUpdateInput(SegmentSaveInput):
    based_on_updated_at = serializers.DateTimeField(
        required=False, help_text="The updated_at you read; if the segment was saved since, 409."
    )


class SegmentListApi(SegmentErrors, generics.ListAPIView):
    """Segments of both kinds, newest first; POST creates a rule segment and queues its first version."""

    serializer_class = SegmentOutput
    queryset = Segment.objects.none()  # for model permissions: reading needs view, creating add

    def get_queryset(self):
        return segment_list(user=self.request.user)

    @extend_schema(request=SegmentSaveInput, responses={201: SegmentOutput})
    def post(self, request):
        data = SegmentSaveInput(data=request.data)
        data.is_valid(raise_exception=True)
        segment = rule_segment_create(actor=request.user, **data.validated_data)
        return Response(SegmentOutput(segment).data, status=status.HTTP_201_CREATED)


class SegmentDetailApi(SegmentErrors, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SegmentOutput)
    def get(self, request, segment_id: int):
        return Response(SegmentOutput(segment_get_for_user(user=request.user, segment_id=segment_id)).data)

    @extend_schema(request=SegmentUpdateInput, responses=SegmentOutput)
    def put(self, request, segment_id: int):
        segment = _changeable(request, segment_id)
        data = SegmentUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        segment = rule_segment_update(actor=request.user, segment=segment, **data.validated_data)
        return Response(
            SegmentOutput(Segment.objects.select_related("current_version").get(id=segment.id)).data
        )


class SegmentPreviewInput(serializers.Serializer):
    definition = serializers.JSONField()
    segment = serializers.IntegerField(
        required=False, allow_null=True, help_text="The segment being edited, so cycles through it are found."
    )


class SegmentPreviewOutput(serializers.Serializer):
    size = serializers.IntegerField(help_text="How many people the definition selects right now.")


class SegmentPreviewApi(SegmentErrors, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=SegmentPreviewInput, responses=SegmentPreviewOutput)
    def post(self, request):
        if not (request.user.has_perm(ADD) or request.user.has_perm(CHANGE)):
            raise PermissionDenied()
        data = SegmentPreviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        segment_id = data.validated_data.get("segment")
        if segment_id is not None:
            segment = _changeable(request, segment_id)
        elif request.user.has_perm(ADD):
            segment = None
        else:
            raise PermissionDenied()
        size = rule_segment_preview(
            definition=data.validated_data["definition"], actor=request.user, segment=segment
        )
        return Response(SegmentPreviewOutput({"size": size}).data)


class SegmentRefreshApi(SegmentErrors, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={202: JobOutput})
    def post(self, request, segment_id: int):
        segment = _changeable(request, segment_id)
        if segment.kind != SegmentKind.RULE:
            raise ValidationError("Cluster segments are refreshed by re-clustering their segmentation.")
        job = rule_segment_refresh_request(segment=segment, actor=request.user)
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class RuleOperatorOutput(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class RuleFieldOutput(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    type = serializers.CharField()
    group = serializers.CharField()
    operators = RuleOperatorOutput(many=True)
    options = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField(help_text='Where the value lives: "table.column" or a table.')
    help = serializers.CharField()
    sensitivity = serializers.CharField(
        allow_null=True, help_text="The class a segment using this field gets, or null."
    )


class RuleFieldListApi(APIView):
    """The fields a rule can test, with their operators; the builder page uses the same catalogue."""

    queryset = Segment.objects.none()  # reading needs segments.view_segment

    @extend_schema(responses=RuleFieldOutput(many=True))
    def get(self, request):
        attributes = sensitive_attributes()
        fields = [
            field | {"sensitivity": attributes[field["name"]][0] if field["name"] in attributes else None}
            for field in catalogue_as_dicts()
        ]
        return Response(RuleFieldOutput(fields, many=True).data)


def _changeable(request, segment_id: int) -> Segment:
    segment = segment_get_for_user(user=request.user, segment_id=segment_id)
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied()
    return segment


urlpatterns = [
    path("segments/", SegmentListApi.as_view(), name="api_segments"),
    path("segments/fields/", RuleFieldListApi.as_view(), name="api_segment_fields"),
    path("segments/preview/", SegmentPreviewApi.as_view(), name="api_segment_preview"),
    path("segments/<int:segment_id>/", SegmentDetailApi.as_view(), name="api_segment"),
    path("segments/<int:segment_id>/refresh/", SegmentRefreshApi.as_view(), name="api_segment_refresh"),
    *segment_versions.urlpatterns,
]
