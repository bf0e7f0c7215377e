from django.urls import path
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import requires
from segments.models import Consent, ConsentPurpose, Profile
from segments.selectors import profile_get_for_user
from segments.services.access_request import profile_access_request
from segments.services.privacy import consent_set, profile_erase


class ConsentOutput(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["purpose", "granted", "recorded_at", "expires_at", "is_active"]


class ProfileDetailOutput(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name")
    identities = serializers.SerializerMethodField()
    consents = ConsentOutput(many=True)

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
            "merged_into",
            "identities",
            "consents",
        ]

    def get_identities(self, profile) -> list[dict[str, str]]:
        return list(profile.identities.values("kind", "value"))


class ProfileDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ProfileDetailOutput)
    def get(self, request, profile_id: int):
        return Response(
            ProfileDetailOutput(profile_get_for_user(user=request.user, profile_id=profile_id)).data
        )


class ConsentSetInput(serializers.Serializer):
    granted = serializers.BooleanField()
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class ConsentSetApi(APIView):
    permission_classes = [requires("segments.change_consent")]

    @extend_schema(request=ConsentSetInput, responses=ConsentOutput)
    def put(self, request, profile_id: int, purpose: str):
        profile = profile_get_for_user(user=request.user, profile_id=profile_id)
        if purpose not in ConsentPurpose.values:
            raise serializers.ValidationError(
                {"purpose": [f"Choose one of {', '.join(ConsentPurpose.values)}."]}
            )
        data = ConsentSetInput(data=request.data)
        data.is_valid(raise_exception=True)
        consent = consent_set(profile=profile, purpose=purpose, actor=request.user, **data.validated_data)
        return Response(ConsentOutput(consent).data)


class ProfileErasureInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, default="")


class ProfileErasureOutput(serializers.Serializer):
    profiles = serializers.IntegerField()
    events = serializers.IntegerField()
    identifiers_tombstoned = serializers.IntegerField()
    rejected_rows = serializers.IntegerField()
    files_deleted = serializers.IntegerField()


class ProfileErasureApi(APIView):
    permission_classes = [requires("segments.erase_profile")]

    @extend_schema(request=ProfileErasureInput, responses=ProfileErasureOutput)
    def post(self, request, profile_id: int):
        profile = profile_get_for_user(user=request.user, profile_id=profile_id)
        data = ProfileErasureInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            profile_erase(profile=profile, actor=request.user, reason=data.validated_data["reason"])
        )


class ProfileAccessExportApi(APIView):
    permission_classes = [requires("segments.export_profile")]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, profile_id: int):
        profile = profile_get_for_user(user=request.user, profile_id=profile_id)
        return Response(profile_access_request(profile=profile, actor=request.user))


urlpatterns = [
    path("profiles/<int:profile_id>/", ProfileDetailApi.as_view(), name="api_profile_detail"),
    path(
        "profiles/<int:profile_id>/consents/<str:purpose>/", ConsentSetApi.as_view(), name="api_consent_set"
    ),
    path("profiles/<int:profile_id>/erasure/", ProfileErasureApi.as_view(), name="api_profile_erasure"),
    path(
        "profiles/<int:profile_id>/access-export/",
        ProfileAccessExportApi.as_view(),
        name="api_profile_access_export",
    ),
]
