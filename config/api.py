"""API defaults shared by every app: one error format, keyset pagination, model permissions."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, pagination, permissions

from config.errors import ChangedMeanwhile


def error_response(exc, context):
    """Every API error reads {"error": {"code", "message", "fields"}}."""
    from rest_framework.views import exception_handler  # imported late: views import these settings

    if isinstance(exc, ChangedMeanwhile):  # before ValidationError: some refusals are both
        exc = Conflict(" ".join(exc.messages) if isinstance(exc, DjangoValidationError) else str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, DjangoValidationError):  # a service's refusal: a 400 naming what is wrong
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = exception_handler(exc, context)
    if response is None:
        return None
    fields = {}
    message = ""
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        fields = {name: [str(item) for item in _as_list(errors)] for name, errors in exc.detail.items()}
        message = "Some fields are not valid."
    elif isinstance(exc, exceptions.ValidationError):
        message = " ".join(str(item) for item in _as_list(exc.detail))
    else:
        message = str(exc.detail) if hasattr(exc, "detail") else str(exc)
    code = getattr(exc, "default_code", "error")
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response


def _as_list(value):
    return value if isinstance(value, list) else [value]


class Conflict(exceptions.APIException):
    """The request clashes with the current state: decided meanwhile, saved by someone else since."""

    status_code = 409
    default_code = "conflict"
    default_detail = "That clashes with a change made meanwhile; reload and try again."


class KeysetPagination(pagination.CursorPagination):
    """Cursor pages: constant cost on a million rows, where page numbers pay a COUNT per request."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500


class ModelPermissions(permissions.DjangoModelPermissions):
    """Reads need the view permission too: a Viewer reads, only roles with change rights write."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


def requires(*required: str) -> type[permissions.BasePermission]:
    """A permission class for API views guarded by model permissions (all of them), as the pages are."""

    class HasPermissions(permissions.BasePermission):
        def has_permission(self, request, view):
            return request.user.is_authenticated and request.user.has_perms(required)

    HasPermissions.__name__ = "Requires_" + "_and_".join(name.replace(".", "_") for name in required)
    return HasPermissions
