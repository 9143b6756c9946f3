from django.contrib import admin

from .models import ActivityLog


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Every field read-only; nobody adds, edits or deletes rows here."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActivityLog)
class ActivityLogAdmin(ReadOnlyModelAdmin):
    """Read-only: the log is evidence, so nobody adds, edits or bulk-deletes rows here."""

    list_display = ["timestamp", "category", "event", "username", "method", "path", "status_code", "ip", "message"]
    list_filter = ["category", "event", "status_code", "timestamp"]
    search_fields = ["username", "path", "message"]
    date_hierarchy = "timestamp"
    list_select_related = False  # the username is kept on the row; no join needed
    show_full_result_count = False  # no COUNT(*) over millions of rows on every page
    actions = None
