from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import path
from django.utils.text import slugify

from segments.segment_selectors import segment_get_for_user
from segments.services.segment_export import segment_export


@login_required
def segment_export_view(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = segment_get_for_user(user=request.user, segment_id=segment_id)
    try:
        min_confidence = float(request.GET.get("min_confidence") or 0)
        export = segment_export(
            segment=segment,
            actor=request.user,
            purpose=request.GET.get("purpose", "marketing"),
            min_confidence=min_confidence,
        )
    except (ValueError, ValidationError) as problem:
        message = "; ".join(problem.messages) if isinstance(problem, ValidationError) else "A number, please."
        return HttpResponse(f"The export could not be made: {message}", status=400, content_type="text/plain")
    filename = f"{slugify(segment.name)}-v{segment.current_version.number}.csv"
    return FileResponse(export, as_attachment=True, filename=filename, content_type="text/csv")


urlpatterns = [path("segments/<int:segment_id>/export.csv", segment_export_view, name="segment_export")]
