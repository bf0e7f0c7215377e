from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api import JobOutput
from segments.services.demo_jobs import MAX_DEMO_EVENTS, MAX_DEMO_PROFILES, demo_data_job_request


class CanGenerateDemoData(BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("segments.generate_demo_data")


class DemoDataJobCreateInput(serializers.Serializer):
    profiles = serializers.IntegerField(min_value=1, max_value=MAX_DEMO_PROFILES, default=20_000)
    events = serializers.IntegerField(min_value=0, max_value=MAX_DEMO_EVENTS, default=200_000)
    seed = serializers.IntegerField(default=7)
    replace = serializers.BooleanField(default=False)


class DemoDataJobCreateApi(APIView):
    permission_classes = [CanGenerateDemoData]

    @extend_schema(request=DemoDataJobCreateInput, responses={202: JobOutput})
    def post(self, request):
        data = DemoDataJobCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = demo_data_job_request(actor=request.user, **data.validated_data)
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


urlpatterns = [path("demo-data/", DemoDataJobCreateApi.as_view(), name="api_demo_data")]
