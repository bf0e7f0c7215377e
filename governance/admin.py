from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from guardian.admin import GuardedModelAdmin

from governance.models import AuditEntry, Job, Team, User
from governance.roles import MARKETER, ROLES, VIEWER
from governance.services.audit import audit_record

# Only a superuser makes superusers or hands out single permissions: either would let an Admin
# reach what the roles and per-object grants keep apart (a sensitive segment's members, say).
SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")


@admin.register(User)
class RoleUserAdmin(UserAdmin):
    """Admins add users, give them roles and deactivate them. Role changes are audited. The
    password of a user who may approve is set only by that user or a superuser, so nobody can sign
    in as an approver to approve their own work."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in SUPERUSER_ONLY_FIELDS]})
            for name, options in fieldsets
        ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=ROLES)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        approver = user is not None and (
            user.is_superuser or user.groups.exclude(name__in=[MARKETER, VIEWER]).exists()
        )
        if approver and user != request.user and not request.user.is_superuser:
            raise PermissionDenied("Only they or a superuser set the password of someone who approves.")
        return super().user_change_password(request, id, form_url)

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.groups.values_list("name", flat=True))
        if before != after:
            audit_record(
                actor=request.user,
                action="user.roles_changed",
                subject=form.instance,
                details={"before": sorted(before), "after": sorted(after)},
            )


admin.site.register(Team, GuardedModelAdmin)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "status", "progress", "requested_by", "created_at", "finished_at"]
    list_filter = ["status", "task_name"]
    readonly_fields = [field.name for field in Job._meta.fields]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "actor_label", "action", "subject_label"]
    list_filter = ["action"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
