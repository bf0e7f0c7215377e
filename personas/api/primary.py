"""The primary-persona rule over the API: people per persona, a person's primary persona, and a
recomputation on demand (202 with its job)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import requires
from governance.api import JobOutput
from personas.api.serializers import PrimaryPersonaCountOutput, PrimaryPersonaLookupOutput
from personas.primary_selectors import primary_persona_counts, primary_persona_of
from personas.selectors import ADD, VIEW
from personas.services.primary import primary_persona_assign_request


class CanRecompute(BasePermission):
    """Those who work on personas and may start jobs: the result is derived data, replaced whole."""

    def has_permission(self, request, view):
        user = request.user
        return user.is_authenticated and user.has_perm(ADD) and user.has_perm("governance.add_job")


class PrimaryPersonaCountsApi(APIView):
    permission_classes = [requires(VIEW)]

    @extend_schema(responses=PrimaryPersonaCountOutput(many=True))
    def get(self, request):
        rows = [
            {"persona": persona.id, "name": persona.name, "priority": persona.priority, "people": people}
            for persona, people in primary_persona_counts(user=request.user)
        ]
        return Response(PrimaryPersonaCountOutput(rows, many=True).data)


class PrimaryPersonaLookupApi(APIView):
    """404 when the caller may not read profiles; persona null when the person has none."""

    permission_classes = [requires(VIEW)]

    @extend_schema(responses=PrimaryPersonaLookupOutput)
    def get(self, request, profile_id: int):
        canonical_id, persona = primary_persona_of(user=request.user, profile_id=profile_id)
        output = {
            "profile": canonical_id,
            "persona": persona.id if persona else None,
            "name": persona.name if persona else None,
        }
        return Response(PrimaryPersonaLookupOutput(output).data)


class PrimaryPersonaAssignApi(APIView):
    permission_classes = [CanRecompute]

    @extend_schema(request=None, responses={202: JobOutput})
    def post(self, request):
        job = primary_persona_assign_request(actor=request.user)
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)
