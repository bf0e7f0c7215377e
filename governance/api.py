from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import requires
from governance.models import ApprovalRequest, AuditEntry, Job
from governance.selectors import (
    approval_get_for_user,
    approval_inbox,
    approval_requests_of,
    audit_entry_list,
    job_get_for_user,
    job_list,
)
from governance.services.approvals import approval_decide
from governance.services.jobs import job_cancel


class JobProgressOutput(serializers.ModelSerializer):
    """A job as the run or import it works for shows it: how far it is, without what it was given,
    what it returned or who asked (those are for the job's own readers, /api/v1/jobs/<id>/)."""

    # A plain string in the schema: the job's own status enum is JobOutput's.
    status = serializers.CharField(help_text="queued, running, succeeded, failed or cancelled.")

    class Meta:
        model = Job
        fields = ["id", "status", "progress", "message", "created_at", "started_at", "finished_at"]


class JobOutput(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", default=None)

    class Meta:
        model = Job
        fields = [
            "id",
            "title",
            "task_name",
            "status",
            "progress",
            "message",
            "error",
            "params",
            "result",
            "requested_by",
            "attempts",
            "created_at",
            "started_at",
            "finished_at",
        ]


class JobListApi(generics.ListAPIView):
    serializer_class = JobOutput
    queryset = Job.objects.none()  # for model permissions; get_queryset narrows to the user's jobs

    def get_queryset(self):
        return job_list(user=self.request.user)


class JobDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=JobOutput)
    def get(self, request, job_id: int):
        return Response(JobOutput(job_get_for_user(user=request.user, job_id=job_id)).data)


class JobCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=JobOutput)
    def post(self, request, job_id: int):
        job = job_cancel(job=job_get_for_user(user=request.user, job_id=job_id), actor=request.user)
        return Response(JobOutput(job).data)


class AuditEntryOutput(serializers.ModelSerializer):
    subject_type = serializers.CharField(source="subject_type.model", default=None)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "occurred_at",
            "actor_label",
            "action",
            "subject_type",
            "subject_id",
            "subject_label",
            "details",
        ]


class AuditEntryListApi(generics.ListAPIView):
    serializer_class = AuditEntryOutput
    queryset = AuditEntry.objects.none()

    def get_queryset(self):
        params = self.request.query_params
        return audit_entry_list(actor=params.get("actor", ""), action=params.get("action", ""))


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField(), source="role_names")


class MeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeOutput)
    def get(self, request):
        return Response(MeOutput(request.user).data)


class ApprovalOutput(serializers.ModelSerializer):
    subject_type = serializers.CharField(source="subject_type.model")
    requested_by = serializers.CharField(source="requested_by.username")
    decided_by = serializers.CharField(source="decided_by.username", default=None)

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "subject_type",
            "subject_id",
            "subject_label",
            "action",
            "note",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_comment",
        ]


class ApprovalListOutput(serializers.Serializer):
    inbox = ApprovalOutput(many=True)
    mine = ApprovalOutput(many=True)


class ApprovalListApi(APIView):
    """Requests waiting for your decision, and your own requests."""

    permission_classes = [requires("governance.view_approvalrequest")]

    @extend_schema(responses=ApprovalListOutput)
    def get(self, request):
        return Response(
            ApprovalListOutput(
                {"inbox": approval_inbox(user=request.user), "mine": approval_requests_of(user=request.user)}
            ).data
        )


class ApprovalDecideInput(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ApprovalDecideApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=ApprovalDecideInput, responses=ApprovalOutput)
    def post(self, request, request_id: int):
        approval = approval_get_for_user(user=request.user, request_id=request_id)
        data = ApprovalDecideInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            approval = approval_decide(request=approval, actor=request.user, **data.validated_data)
        except DjangoValidationError as problem:
            raise serializers.ValidationError({"comment": problem.messages}) from problem
        return Response(ApprovalOutput(approval).data)


urlpatterns = [
    path("approvals/", ApprovalListApi.as_view(), name="api_approval_list"),
    path("approvals/<int:request_id>/decide/", ApprovalDecideApi.as_view(), name="api_approval_decide"),
    path("me/", MeApi.as_view(), name="api_me"),
    path("jobs/", JobListApi.as_view(), name="api_job_list"),
    path("jobs/<int:job_id>/", JobDetailApi.as_view(), name="api_job_detail"),
    path("jobs/<int:job_id>/cancel/", JobCancelApi.as_view(), name="api_job_cancel"),
    path("audit/", AuditEntryListApi.as_view(), name="api_audit_list"),
]
