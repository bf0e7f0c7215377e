from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api import JobProgressOutput
from segments.import_selectors import (
    IMPORT,
    VIEW,
    data_source_get_for_user,
    data_source_list,
    import_run_get_for_user,
    import_run_list,
    import_run_status,
)
from segments.importing.formats import ImportFileError
from segments.models import DataSource, ImportRun, Platform, RecordKind, RejectedRow, SourceKind
from segments.services.imports import (
    data_source_create,
    import_mapping_save,
    import_run_create,
    import_run_start,
)

MAX_RECORDS = 100_000


class ReadOrImport(BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm(VIEW if request.method in SAFE_METHODS else IMPORT)


KIND_HELP = "What the source is: " + ", ".join(SourceKind.values) + "."


class DataSourceOutput(serializers.ModelSerializer):
    # Plain strings in the schema: "kind" enums of other components would collide with this one.
    kind = serializers.CharField(help_text=KIND_HELP)

    class Meta:
        model = DataSource
        fields = ["id", "name", "kind", "platform", "default_region", "created_at"]


class DataSourceCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.CharField(help_text=KIND_HELP)
    platform = serializers.ChoiceField(choices=Platform.choices)
    default_region = serializers.RegexField(r"^[A-Za-z]{2}$", default="GB")

    def validate_kind(self, kind: str) -> str:
        if kind not in SourceKind.values:
            raise serializers.ValidationError(f"Choose one of: {', '.join(SourceKind.values)}.")
        return kind


class DataSourceListApi(generics.ListAPIView):
    """Data sources; POST adds one."""

    serializer_class = DataSourceOutput
    permission_classes = [ReadOrImport]
    queryset = DataSource.objects.none()

    def get_queryset(self):
        return data_source_list().order_by("-id")

    @extend_schema(request=DataSourceCreateInput, responses={201: DataSourceOutput})
    def post(self, request):
        data = DataSourceCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            source = data_source_create(actor=request.user, **data.validated_data)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(DataSourceOutput(source).data, status=status.HTTP_201_CREATED)


class ImportRunOutput(serializers.ModelSerializer):
    source = serializers.IntegerField(source="source_id")
    status = serializers.SerializerMethodField(help_text="uploaded, queued, running, succeeded or failed.")
    error = serializers.SerializerMethodField()
    job = JobProgressOutput(allow_null=True)

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "source",
            "record_kind",
            "original_name",
            "size_bytes",
            "sha256",
            "file_format",
            "encoding",
            "delimiter",
            "mapping",
            "status",
            "error",
            "total_rows",
            "inserted_rows",
            "updated_rows",
            "unchanged_rows",
            "rejected_rows",
            "job",
            "created_at",
            "finished_at",
        ]

    def get_status(self, run) -> str:
        return import_run_status(run)[0]

    def get_error(self, run) -> str:
        return import_run_status(run)[1]


class ImportCreateInput(serializers.Serializer):
    source = serializers.IntegerField()
    record_kind = serializers.ChoiceField(choices=RecordKind.choices)
    file = serializers.FileField(required=False, help_text="A CSV, XLSX or JSON lines file (multipart).")
    records = serializers.ListField(
        child=serializers.DictField(),
        required=False,
        max_length=MAX_RECORDS,
        help_text="Or the records as JSON.",
    )
    mapping = serializers.JSONField(
        required=False, help_text="As in the output; the suggested one when absent."
    )
    start = serializers.BooleanField(default=True, help_text="Start at once when the mapping is complete.")

    def validate(self, attrs):
        if ("file" in attrs) == ("records" in attrs):
            raise serializers.ValidationError("Send either a file or records.")
        return attrs


class ImportListApi(generics.ListAPIView):
    """Imports, newest first (`source` filters); POST uploads a file or records and, unless
    start=false, starts the import (202)."""

    serializer_class = ImportRunOutput
    permission_classes = [ReadOrImport]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    queryset = ImportRun.objects.none()

    @extend_schema(parameters=[OpenApiParameter("source", int, required=False)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        source = self.request.query_params.get("source", "")
        if source.isdigit():
            return import_run_list(
                source=data_source_get_for_user(user=self.request.user, source_id=int(source))
            )
        return import_run_list()

    @extend_schema(request=ImportCreateInput, responses={201: ImportRunOutput, 202: ImportRunOutput})
    def post(self, request):
        data = ImportCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        source = data_source_get_for_user(user=request.user, source_id=values["source"], perm=IMPORT)
        try:
            run = import_run_create(
                source=source,
                record_kind=values["record_kind"],
                actor=request.user,
                upload=values.get("file"),
                records=values.get("records"),
            )
        except ImportFileError as error:
            raise ValidationError({"file": [str(error)]}) from error
        if "mapping" in values:
            run = _mapping_save(run, values["mapping"], request.user)
        if not values["start"]:
            return Response(ImportRunOutput(run).data, status=status.HTTP_201_CREATED)
        run = _start(run, request.user)
        return Response(ImportRunOutput(run).data, status=status.HTTP_202_ACCEPTED)


def _mapping_save(run: ImportRun, mapping, user) -> ImportRun:
    if not isinstance(mapping, dict):
        raise ValidationError({"mapping": ["Send the mapping as an object with “columns”."]})
    try:
        return import_mapping_save(run=run, mapping=mapping, actor=user)
    except DjangoValidationError as error:
        raise ValidationError({"mapping": error.messages}) from error


def _start(run: ImportRun, user) -> ImportRun:
    if not user.has_perm("governance.add_job"):
        raise PermissionDenied("You may not start jobs.")
    try:
        return import_run_start(run=run, actor=user)
    except DjangoValidationError as error:
        raise ValidationError({"mapping": error.messages}) from error


class ImportDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ImportRunOutput)
    def get(self, request, run_id: int):
        return Response(ImportRunOutput(import_run_get_for_user(user=request.user, run_id=run_id)).data)


class ImportMappingInput(serializers.Serializer):
    mapping = serializers.JSONField()


class ImportMappingApi(APIView):
    """Replace the mapping of an import that has not started (or failed)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ImportMappingInput, responses=ImportRunOutput)
    def put(self, request, run_id: int):
        run = import_run_get_for_user(user=request.user, run_id=run_id, perm=IMPORT)
        data = ImportMappingInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            ImportRunOutput(_mapping_save(run, data.validated_data["mapping"], request.user)).data
        )


class ImportStartApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={202: ImportRunOutput})
    def post(self, request, run_id: int):
        run = import_run_get_for_user(user=request.user, run_id=run_id, perm=IMPORT)
        return Response(ImportRunOutput(_start(run, request.user)).data, status=status.HTTP_202_ACCEPTED)


class RejectedRowOutput(serializers.ModelSerializer):
    class Meta:
        model = RejectedRow
        fields = ["id", "row_number", "column", "value", "reason"]


class ImportRejectedRowListApi(generics.ListAPIView):
    """The rows an import rejected, with row number, column, value and reason."""

    serializer_class = RejectedRowOutput
    permission_classes = [IsAuthenticated]
    queryset = RejectedRow.objects.none()

    def get_queryset(self):
        run = import_run_get_for_user(user=self.request.user, run_id=self.kwargs["run_id"])
        return RejectedRow.objects.filter(run=run)


urlpatterns = [
    path("sources/", DataSourceListApi.as_view(), name="api_source_list"),
    path("imports/", ImportListApi.as_view(), name="api_import_list"),
    path("imports/<int:run_id>/", ImportDetailApi.as_view(), name="api_import_detail"),
    path("imports/<int:run_id>/mapping/", ImportMappingApi.as_view(), name="api_import_mapping"),
    path("imports/<int:run_id>/start/", ImportStartApi.as_view(), name="api_import_start"),
    path(
        "imports/<int:run_id>/rejected-rows/", ImportRejectedRowListApi.as_view(), name="api_import_rejected"
    ),
]
