from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from guardian.admin import GuardedModelAdmin

from governance.models import AuditEntry, Job, Team, User

admin.site.register(User, UserAdmin)
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
