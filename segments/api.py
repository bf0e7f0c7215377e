from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api import JobOutput
from segments.models import Profile
from segments.selectors import profile_list
from segments.services.demo_jobs import demo_data_job_request


class ProfileOutput(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name")

    class Meta:
        model = Profile
        fields = [
            "id",
            "external_id",
            "source",
            "first_name",
            "last_name",
            "gender",
            "birth_year",
            "city",
            "country",
            "created_at",
        ]


class ProfileListApi(generics.ListAPIView):
    """Profiles, newest first, a keyset page at a time; `q` searches names and identifiers."""

    serializer_class = ProfileOutput
    queryset = Profile.objects.none()

    def get_queryset(self):
        return profile_list(search=self.request.query_params.get("q", ""))


class CanGenerateDemoData(BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("segments.generate_demo_data")


class DemoDataJobCreateInput(serializers.Serializer):
    profiles = serializers.IntegerField(min_value=1, default=20_000)
    events = serializers.IntegerField(min_value=0, default=200_000)
    seed = serializers.IntegerField(default=7)
    replace = serializers.BooleanField(default=False)


class DemoDataJobCreateApi(APIView):
    permission_classes = [CanGenerateDemoData]

    @extend_schema(request=DemoDataJobCreateInput, responses={202: JobOutput})
    def post(self, request):
        data = DemoDataJobCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            job = demo_data_job_request(actor=request.user, **data.validated_data)
        except ValueError as error:
            raise serializers.ValidationError({"profiles": [str(error)]}) from error
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("profiles/", ProfileListApi.as_view(), name="api_profile_list"),
    path("demo-data/", DemoDataJobCreateApi.as_view(), name="api_demo_data"),
]
