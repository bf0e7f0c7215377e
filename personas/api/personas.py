"""Personas over the API: list and create, read and change (the owner), draft from a segment, the
version history with its diffs, and asking for publication."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import requires
from governance.models import User
from personas.api.serializers import (
    PersonaCreateInput,
    PersonaDraftInput,
    PersonaOutput,
    PersonaUpdateInput,
    PersonaVersionOutput,
    PublishRequestInput,
    PublishRequestOutput,
)
from personas.diffing import snapshot_diff
from personas.models import Persona
from personas.selectors import ADD, CHANGE, persona_get_for_user, persona_list, persona_versions
from personas.services.drafts import persona_draft_from_segment
from personas.services.publication import persona_publish_request
from personas.services.records import persona_create, persona_update
from segments.models import Segment
from segments.segment_selectors import segment_get_for_user, segment_list


class PersonaListApi(generics.ListAPIView):
    """Personas the caller may read, newest first (?status= narrows); POST creates a draft they own."""

    serializer_class = PersonaOutput
    queryset = Persona.objects.none()  # for the model permissions: view to list, add to create

    @extend_schema(parameters=[OpenApiParameter("status", str, description="draft, in_review, active, …")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return persona_list(user=self.request.user, status=self.request.query_params.get("status", ""))

    @extend_schema(request=PersonaCreateInput, responses={201: PersonaOutput})
    def post(self, request):
        data = PersonaCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        segments = _segments(request.user, values.pop("segments", []))
        persona = persona_create(actor=request.user, data=values, segments=segments)
        return Response(PersonaOutput(persona).data, status=status.HTTP_201_CREATED)


class PersonaDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PersonaOutput)
    def get(self, request, persona_id: int):
        return Response(PersonaOutput(persona_get_for_user(user=request.user, persona_id=persona_id)).data)

    @extend_schema(request=PersonaUpdateInput, responses=PersonaOutput)
    def patch(self, request, persona_id: int):
        persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
        data = PersonaUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        segments = _segments(request.user, values.pop("segments")) if "segments" in values else None
        based_on_version = values.pop("based_on_version", None)
        persona = persona_update(
            persona=persona,
            actor=request.user,
            data=values,
            segments=segments,
            based_on_version=based_on_version,
        )
        return Response(PersonaOutput(persona).data)


class PersonaDraftApi(APIView):
    permission_classes = [requires(ADD)]

    @extend_schema(request=PersonaDraftInput, responses={201: PersonaOutput})
    def post(self, request):
        data = PersonaDraftInput(data=request.data)
        data.is_valid(raise_exception=True)
        segment = segment_get_for_user(user=request.user, segment_id=data.validated_data["segment"])
        persona = persona_draft_from_segment(segment=segment, actor=request.user)
        return Response(PersonaOutput(persona).data, status=status.HTTP_201_CREATED)


class PersonaVersionListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PersonaVersionOutput(many=True))
    def get(self, request, persona_id: int):
        persona = persona_get_for_user(user=request.user, persona_id=persona_id)
        versions = list(persona_versions(persona=persona)[:100])
        for index, version in enumerate(versions):
            before = versions[index + 1].snapshot if index + 1 < len(versions) else None
            version.changes = [change.__dict__ for change in snapshot_diff(before, version.snapshot)]
        return Response(PersonaVersionOutput(versions, many=True).data)


class PersonaPublishRequestApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=PublishRequestInput, responses={201: PublishRequestOutput})
    def post(self, request, persona_id: int):
        persona = persona_get_for_user(user=request.user, persona_id=persona_id, perm=CHANGE)
        data = PublishRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        approval = persona_publish_request(
            persona=persona, actor=request.user, note=data.validated_data.get("note", "")
        )
        output = {
            "id": approval.id,
            "status": approval.status,
            "requested_at": approval.requested_at,
            "persona_status": persona.status,
        }
        return Response(PublishRequestOutput(output).data, status=status.HTTP_201_CREATED)


def _segments(user: User, ids: list[int]) -> list[Segment]:
    found = list(segment_list(user=user).filter(id__in=ids))
    missing = sorted(set(ids) - {segment.id for segment in found})
    if missing:
        raise ValidationError({"segments": [f"No segment you may read has the id {missing[0]}."]})
    return found
