from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.urls import path
from django.utils import timezone

from .admin_analytics import analytics_view
from .admin_changelist import DistinctValuesFilter, DrilldownQuerySet
from .csv_export import csv_response
from .models import ActivityLog
from .paginators import EstimatedCountPaginator
from .selectors import activity_log_search

# The columns of the CSV export: those of the API (DESIGN.md), already scrubbed when written (no token, no secret).
EXPORT_FIELDS = ["id", "timestamp", "category", "event", "message", "user_id", "username", "session_id", "method",
                 "path", "status_code", "ip", "user_agent", "duration_ms", "activity_type"]  # fmt: skip
EXPORT_CHUNK = 2000  # rows fetched at a time (a server-side cursor on PostgreSQL): memory stays flat


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
    list_filter = ["category", ("event", DistinctValuesFilter), ("status_code", DistinctValuesFilter), "timestamp"]
    # Every view here stays fast at ten million rows (docs/PERFORMANCE.md, "Operator surfaces at scale"): each reads
    # an index, counts at most EXACT_UP_TO rows (paginators.py) and never runs SELECT DISTINCT over the log.
    search_fields = ["username", "path", "ip", "session_id"]  # what activity_log_search matches (Django's: unused)
    search_help_text = "An IP address, a session id, a path starting with / (its prefix), or a username (exact)."
    date_hierarchy = "timestamp"
    list_select_related = False  # the username is kept on the row; no join needed
    show_full_result_count = False  # no COUNT(*) over millions of rows on every page
    show_facets = admin.ShowFacets.NEVER  # facet counts are a COUNT per choice over the filtered log
    sortable_by = ["timestamp"]  # the log's order, in an index; sorting ten million rows by message is not a page
    paginator = EstimatedCountPaginator
    actions = None

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        return DrilldownQuerySet(model=rows.model, query=rows.query, using=rows._db, hints=rows._hints)

    def get_search_results(self, request, queryset, search_term):
        return activity_log_search(rows=queryset, terms=search_term), False

    def get_urls(self):
        own = [
            path("analytics/", self.admin_site.admin_view(self.analytics_view), name="activity_activitylog_analytics"),
            path("export/", self.admin_site.admin_view(self.export_view), name="activity_activitylog_export"),
        ]
        return own + super().get_urls()

    def analytics_view(self, request):
        return analytics_view(request, model_admin=self)

    def export_view(self, request):
        """The rows the list shows with the same filters, search and date, as CSV, streamed."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest("Invalid filter.", content_type="text/plain")
        rows = changelist.get_queryset(request).values_list(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK)
        timestamp = EXPORT_FIELDS.index("timestamp")
        return csv_response(
            filename=f"activity-log-{timezone.now():%Y%m%d-%H%M%S}.csv",
            header=EXPORT_FIELDS,
            rows=(row[:timestamp] + (row[timestamp].isoformat(),) + row[timestamp + 1 :] for row in rows),
        )
