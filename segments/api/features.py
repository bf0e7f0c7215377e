from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api import JobOutput
from segments.feature_selectors import (
    feature_runs,
    interest_topic_get_for_user,
    profile_features_get_for_user,
)
from segments.models import EventType, FeatureRun, InterestTopic, ProfileFeatures
from segments.services.features import (
    feature_config_current,
    feature_settings_update,
    features_compute_request,
    interest_topic_delete,
    interest_topic_save,
)

READ = "segments.view_profile"
EDIT = "segments.change_datasource"


class ReadOrEditFeatures(BasePermission):
    """Reading needs the right to read profiles; changing settings or topics, to manage data sources."""

    def has_permission(self, request, view):
        return request.user.has_perm(READ if request.method in SAFE_METHODS else EDIT)


class CanStartJobs(BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("governance.add_job")


class ProfileFeaturesOutput(serializers.ModelSerializer):
    profile = serializers.IntegerField(source="profile_id", help_text="The canonical profile they belong to.")
    excluded_as_bot = serializers.BooleanField(
        source="is_bot", help_text="Bot score at or above the threshold: left out of segments and KPIs."
    )
    channel_mix = serializers.DictField(
        child=serializers.FloatField(), read_only=True, help_text="Share of weighted engagement per platform."
    )
    format_affinity = serializers.DictField(
        child=serializers.FloatField(), read_only=True, help_text="Share of events per content format."
    )

    class Meta:
        model = ProfileFeatures
        exclude = ["is_bot", "channel_shares", "format_shares"]


class ProfileFeaturesApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ProfileFeaturesOutput)
    def get(self, request, profile_id: int):
        _, features = profile_features_get_for_user(user=request.user, profile_id=profile_id)
        return Response(ProfileFeaturesOutput(features).data)


class FeatureSettingsOutput(serializers.Serializer):
    engagement_weights = serializers.DictField(child=serializers.FloatField())
    half_life_days = serializers.FloatField()
    bot_threshold = serializers.FloatField()


class FeatureSettingsUpdateInput(serializers.Serializer):
    engagement_weights = serializers.DictField(child=serializers.FloatField(min_value=0, max_value=100))
    half_life_days = serializers.FloatField(min_value=0.5, max_value=3650)
    bot_threshold = serializers.FloatField(min_value=0, max_value=1)

    def validate_engagement_weights(self, weights):
        unknown = sorted(set(weights) - set(EventType.values))
        if unknown:
            raise serializers.ValidationError(f"Unknown event types: {', '.join(unknown)}.")
        return weights


class FeatureSettingsApi(APIView):
    permission_classes = [ReadOrEditFeatures]

    @extend_schema(responses=FeatureSettingsOutput)
    def get(self, request):
        return Response(FeatureSettingsOutput(feature_config_current()).data)

    @extend_schema(request=FeatureSettingsUpdateInput, responses=FeatureSettingsOutput)
    def put(self, request):
        data = FeatureSettingsUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        feature_settings_update(actor=request.user, **data.validated_data)
        return Response(FeatureSettingsOutput(feature_config_current()).data)


class InterestTopicOutput(serializers.ModelSerializer):
    class Meta:
        model = InterestTopic
        fields = ["id", "name", "keywords"]


class InterestTopicSaveInput(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    keywords = serializers.ListField(child=serializers.CharField(max_length=60), allow_empty=False)


def _topic_save(request, topic: InterestTopic | None) -> InterestTopic:
    data = InterestTopicSaveInput(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        return interest_topic_save(actor=request.user, topic=topic, **data.validated_data)
    except ValueError as error:
        raise ValidationError(
            {"name" if "topic called" in str(error) else "keywords": [str(error)]}
        ) from error


class InterestTopicListApi(generics.ListAPIView):
    """The interest taxonomy; POST adds a topic."""

    serializer_class = InterestTopicOutput
    permission_classes = [ReadOrEditFeatures]
    queryset = InterestTopic.objects.order_by("-id")

    @extend_schema(request=InterestTopicSaveInput, responses={201: InterestTopicOutput})
    def post(self, request):
        topic = _topic_save(request, None)
        return Response(InterestTopicOutput(topic).data, status=status.HTTP_201_CREATED)


class InterestTopicDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    def _topic(self, request, topic_id: int) -> InterestTopic:
        topic = interest_topic_get_for_user(user=request.user, topic_id=topic_id)
        if request.method not in SAFE_METHODS and not request.user.has_perm(EDIT):
            raise PermissionDenied("You may not change the interest taxonomy.")
        return topic

    @extend_schema(responses=InterestTopicOutput)
    def get(self, request, topic_id: int):
        return Response(InterestTopicOutput(self._topic(request, topic_id)).data)

    @extend_schema(request=InterestTopicSaveInput, responses=InterestTopicOutput)
    def put(self, request, topic_id: int):
        topic = _topic_save(request, self._topic(request, topic_id))
        return Response(InterestTopicOutput(topic).data)

    @extend_schema(responses={204: None})
    def delete(self, request, topic_id: int):
        interest_topic_delete(actor=request.user, topic=self._topic(request, topic_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FeatureRunOutput(serializers.ModelSerializer):
    psi = serializers.SerializerMethodField(help_text="Population stability index per feature, or null.")
    summary = serializers.SerializerMethodField()

    class Meta:
        model = FeatureRun
        fields = ["id", "job", "started_at", "finished_at", "profiles", "psi", "summary", "settings_used"]

    def get_psi(self, run) -> dict[str, float | None]:
        return {name: record.get("psi") for name, record in (run.stability or {}).items()}

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_summary(self, run):
        return (run.settings_used or {}).get("summary", {})


class FeatureRunListApi(generics.ListAPIView):
    """Finished feature computations, newest first; POST starts one (202 with its job)."""

    serializer_class = FeatureRunOutput
    permission_classes = [IsAuthenticated]
    queryset = FeatureRun.objects.none()

    def get_queryset(self):
        if not self.request.user.has_perm(READ):
            raise PermissionDenied()
        return feature_runs()

    @extend_schema(request=None, responses={202: JobOutput})
    def post(self, request):
        if not CanStartJobs().has_permission(request, self):
            raise PermissionDenied()
        job = features_compute_request(actor=request.user)
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("profiles/<int:profile_id>/features/", ProfileFeaturesApi.as_view(), name="api_profile_features"),
    path("features/settings/", FeatureSettingsApi.as_view(), name="api_feature_settings"),
    path("features/topics/", InterestTopicListApi.as_view(), name="api_interest_topics"),
    path("features/topics/<int:topic_id>/", InterestTopicDetailApi.as_view(), name="api_interest_topic"),
    path("features/runs/", FeatureRunListApi.as_view(), name="api_feature_runs"),
]
