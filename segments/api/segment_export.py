from django.http import FileResponse
from django.urls import path
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from segments.models import ConsentPurpose
from segments.segment_selectors import segment_get_for_user
from segments.services.segment_export import segment_export


class SegmentExportApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("purpose", enum=ConsentPurpose.values, default="marketing"),
            OpenApiParameter("min_confidence", float, default=0.0),
        ],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
        description="Members of the current version who consent to the purpose now, as CSV.",
    )
    def get(self, request, segment_id: int):
        segment = segment_get_for_user(user=request.user, segment_id=segment_id)
        try:
            export = segment_export(
                segment=segment,
                actor=request.user,
                purpose=request.query_params.get("purpose", "marketing"),
                min_confidence=float(request.query_params.get("min_confidence") or 0),
            )
        except ValueError as problem:
            raise ValidationError({"min_confidence": ["A number between 0 and 1."]}) from problem
        filename = f"{slugify(segment.name)}-v{segment.current_version.number}.csv"
        return FileResponse(export, as_attachment=True, filename=filename, content_type="text/csv")


urlpatterns = [
    path("segments/<int:segment_id>/export/", SegmentExportApi.as_view(), name="api_segment_export")
]
