"""A segment's versions (with lineage and card), the current version's members a keyset page at a
time, and the comparison of two versions as a matrix."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import KeysetPagination
from segments.models import SegmentMembership, SegmentVersion
from segments.rule_segment_selectors import segment_version_get, version_transition_table
from segments.segment_selectors import segment_get_for_user, segment_members


class SegmentVersionOutput(serializers.ModelSerializer):
    class Meta:
        model = SegmentVersion
        fields = ["id", "number", "status", "size", "run", "definition", "lineage", "card", "created_at"]


class SegmentVersionListApi(generics.ListAPIView):
    """The segment's finished versions, newest first, each with its lineage and profile card."""

    serializer_class = SegmentVersionOutput
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        segment = segment_get_for_user(user=self.request.user, segment_id=self.kwargs["segment_id"])
        return SegmentVersion.objects.filter(segment=segment, status="ready")


class SegmentMemberOutput(serializers.ModelSerializer):
    profile = serializers.IntegerField(source="profile_id")

    class Meta:
        model = SegmentMembership
        fields = ["profile", "confidence"]


class MemberPagination(KeysetPagination):
    # The membership key's order: every page costs the same, however large the segment.
    ordering = "profile_id"


@extend_schema(
    parameters=[
        OpenApiParameter("min_confidence", float, description="Only members at least this sure (0-1).")
    ]
)
class SegmentMemberListApi(generics.ListAPIView):
    """Members of the current version. A sensitive segment's members answer 404 to those without access."""

    serializer_class = SegmentMemberOutput
    pagination_class = MemberPagination
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        segment = segment_get_for_user(user=self.request.user, segment_id=self.kwargs["segment_id"])
        try:
            min_confidence = float(self.request.query_params.get("min_confidence", 0))
        except ValueError as wrong:
            raise ValidationError({"min_confidence": ["Give a number between 0 and 1."]}) from wrong
        return segment_members(user=self.request.user, segment=segment, min_confidence=min_confidence)


class SegmentCompareOutput(serializers.Serializer):
    before = serializers.IntegerField(help_text="The earlier version's id.")
    after = serializers.IntegerField(help_text="The later version's id.")
    rows = serializers.ListField(child=serializers.CharField(), help_text="Where people were (before).")
    columns = serializers.ListField(child=serializers.CharField(), help_text="Where people are (after).")
    counts = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()), help_text="People per row and column."
    )
    total = serializers.IntegerField()


class SegmentCompareApi(APIView):
    """Who moved where between two versions: `before` and `after` are version ids of this segment."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("before", int, required=True),
            OpenApiParameter("after", int, required=True),
        ],
        responses=SegmentCompareOutput,
    )
    def get(self, request, segment_id: int):
        segment = segment_get_for_user(user=request.user, segment_id=segment_id)
        missing = [name for name in ("before", "after") if not request.query_params.get(name, "").isdigit()]
        if missing:
            raise ValidationError({name: ["Give a version id."] for name in missing})
        before = segment_version_get(segment=segment, version_id=request.query_params["before"])
        after = segment_version_get(segment=segment, version_id=request.query_params["after"])
        table = version_transition_table(before=before, after=after)
        data = {
            "before": before.id,
            "after": after.id,
            "rows": [row["label"] for row in table.rows],
            "columns": table.columns,
            "counts": [[cell["count"] for cell in row["cells"]] for row in table.rows],
            "total": table.total,
        }
        return Response(SegmentCompareOutput(data).data)


urlpatterns = [
    path("segments/<int:segment_id>/versions/", SegmentVersionListApi.as_view(), name="api_segment_versions"),
    path("segments/<int:segment_id>/members/", SegmentMemberListApi.as_view(), name="api_segment_members"),
    path("segments/<int:segment_id>/compare/", SegmentCompareApi.as_view(), name="api_segment_compare"),
]
