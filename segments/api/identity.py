"""Identity resolution API: a person's identities, the review queue, merges and undo, blocked values,
and starting a resolve run. Lists refuse (403) those without the permission; single objects are
fetched through helpers that answer 404 to them."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import Conflict, KeysetPagination, requires
from governance.api import JobOutput
from segments.identity_selectors import (
    blocked_identifier_get_for_user,
    blocked_identifier_list,
    match_candidate_get_for_user,
    match_candidate_list,
    person_identity_list,
    profile_get_for_user,
    profile_merge_get_for_user,
    profile_merge_list,
)
from segments.models import BlockedIdentifier, Identity, IdentityKind, MatchCandidate, ProfileMerge
from segments.services.identity_candidates import match_candidate_accept, match_candidate_reject
from segments.services.identity_merge import profile_merge_undo
from segments.services.identity_resolve import identity_resolve_job_request
from segments.services.identity_settings import (
    SettingRefused,
    blocked_identifier_add,
    blocked_identifier_remove,
    blocked_identifier_update,
)


class IdentityOutput(serializers.ModelSerializer):
    source = serializers.CharField(source="profile.source.name")

    class Meta:
        model = Identity
        fields = ["id", "profile", "source", "kind", "value"]


class ProfileIdentityListApi(generics.ListAPIView):
    """The identities of the person a profile belongs to, its merged profiles' included."""

    serializer_class = IdentityOutput
    permission_classes = [IsAuthenticated]
    pagination_class = None

    def get_queryset(self):
        profile = profile_get_for_user(user=self.request.user, profile_id=self.kwargs["profile_id"])
        return person_identity_list(profile=profile)


class MatchCandidateOutput(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", default=None)

    class Meta:
        model = MatchCandidate
        fields = ["id", "profile_a", "profile_b", "score", "evidence", "status", "decided_by", "decided_at"]


class QueuePagination(KeysetPagination):
    ordering = ("-score", "-id")


@extend_schema(parameters=[OpenApiParameter("status", enum=MatchCandidate.Status.values, default="pending")])
class MatchCandidateListApi(generics.ListAPIView):
    serializer_class = MatchCandidateOutput
    permission_classes = [requires("segments.change_profile")]
    pagination_class = QueuePagination

    def get_queryset(self):
        wanted = self.request.query_params.get("status", MatchCandidate.Status.PENDING)
        return match_candidate_list(status=wanted)


class ProfileMergeOutput(serializers.ModelSerializer):
    decided_by = serializers.CharField(source="decided_by.username", default=None)

    class Meta:
        model = ProfileMerge
        fields = [
            "id",
            "survivor",
            "absorbed",
            "method",
            "evidence",
            "repointed_ids",
            "decided_by",
            "created_at",
            "undone_at",
        ]


class MatchCandidateAcceptApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: ProfileMergeOutput})
    def post(self, request, candidate_id: int):
        candidate = match_candidate_get_for_user(user=request.user, candidate_id=candidate_id)
        merge = match_candidate_accept(candidate=candidate, actor=request.user)
        if merge is None:
            raise Conflict("The profiles had already become one person; the pair is closed.")
        return Response(ProfileMergeOutput(merge).data, status=status.HTTP_201_CREATED)


class MatchCandidateRejectApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=MatchCandidateOutput)
    def post(self, request, candidate_id: int):
        candidate = match_candidate_get_for_user(user=request.user, candidate_id=candidate_id)
        candidate = match_candidate_reject(candidate=candidate, actor=request.user)
        return Response(MatchCandidateOutput(candidate).data)


class ProfileMergeListApi(generics.ListAPIView):
    serializer_class = ProfileMergeOutput
    permission_classes = [requires("segments.change_profile")]

    def get_queryset(self):
        return profile_merge_list()


class ProfileMergeUndoApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ProfileMergeOutput)
    def post(self, request, merge_id: int):
        merge = profile_merge_get_for_user(user=request.user, merge_id=merge_id)
        merge = profile_merge_undo(merge=merge, actor=request.user)
        return Response(ProfileMergeOutput(merge).data)


class BlockedIdentifierOutput(serializers.ModelSerializer):
    class Meta:
        model = BlockedIdentifier
        fields = ["id", "kind", "value", "reason"]


class BlockedIdentifierCreateInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IdentityKind.choices)
    value = serializers.CharField(max_length=254)
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    region = serializers.CharField(min_length=2, max_length=2, required=False, default="GB")


class BlockedIdentifierUpdateInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, allow_blank=True)


class BlockedIdentifierListApi(APIView):
    """GET needs view_blockedidentifier, POST add_blockedidentifier (Admins)."""

    def get_permissions(self):
        perm = "view_blockedidentifier" if self.request.method == "GET" else "add_blockedidentifier"
        return [requires(f"segments.{perm}")()]

    @extend_schema(responses=BlockedIdentifierOutput(many=True))
    def get(self, request):
        return Response(BlockedIdentifierOutput(blocked_identifier_list(), many=True).data)

    @extend_schema(request=BlockedIdentifierCreateInput, responses={201: BlockedIdentifierOutput})
    def post(self, request):
        data = BlockedIdentifierCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {**data.validated_data, "region": data.validated_data["region"].upper()}
        try:
            blocked = blocked_identifier_add(actor=request.user, **fields)
        except SettingRefused as refused:
            raise serializers.ValidationError({"value": [str(refused)]}) from refused
        return Response(BlockedIdentifierOutput(blocked).data, status=status.HTTP_201_CREATED)


class BlockedIdentifierDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    def _get(self, request, blocked_id: int, perm: str) -> BlockedIdentifier:
        return blocked_identifier_get_for_user(user=request.user, blocked_id=blocked_id, perm=perm)

    @extend_schema(responses=BlockedIdentifierOutput)
    def get(self, request, blocked_id: int):
        blocked = self._get(request, blocked_id, "segments.view_blockedidentifier")
        return Response(BlockedIdentifierOutput(blocked).data)

    @extend_schema(request=BlockedIdentifierUpdateInput, responses=BlockedIdentifierOutput)
    def patch(self, request, blocked_id: int):
        blocked = self._get(request, blocked_id, "segments.change_blockedidentifier")
        data = BlockedIdentifierUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        blocked = blocked_identifier_update(blocked=blocked, actor=request.user, **data.validated_data)
        return Response(BlockedIdentifierOutput(blocked).data)

    @extend_schema(responses={204: None})
    def delete(self, request, blocked_id: int):
        blocked = self._get(request, blocked_id, "segments.delete_blockedidentifier")
        blocked_identifier_remove(blocked=blocked, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IdentityResolveApi(APIView):
    permission_classes = [requires("segments.change_profile", "governance.add_job")]

    @extend_schema(request=None, responses={202: JobOutput})
    def post(self, request):
        job = identity_resolve_job_request(actor=request.user)
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path(
        "profiles/<int:profile_id>/identities/",
        ProfileIdentityListApi.as_view(),
        name="api_profile_identities",
    ),
    path("identity/candidates/", MatchCandidateListApi.as_view(), name="api_candidate_list"),
    path(
        "identity/candidates/<int:candidate_id>/accept/",
        MatchCandidateAcceptApi.as_view(),
        name="api_candidate_accept",
    ),
    path(
        "identity/candidates/<int:candidate_id>/reject/",
        MatchCandidateRejectApi.as_view(),
        name="api_candidate_reject",
    ),
    path("identity/merges/", ProfileMergeListApi.as_view(), name="api_merge_list"),
    path("identity/merges/<int:merge_id>/undo/", ProfileMergeUndoApi.as_view(), name="api_merge_undo"),
    path("identity/blocked/", BlockedIdentifierListApi.as_view(), name="api_blocked_list"),
    path(
        "identity/blocked/<int:blocked_id>/",
        BlockedIdentifierDetailApi.as_view(),
        name="api_blocked_detail",
    ),
    path("identity/resolve/", IdentityResolveApi.as_view(), name="api_identity_resolve"),
]
