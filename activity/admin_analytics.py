"""The admin's Activity analytics page: the rollups drawn as charts for staff, each with a CSV of exactly its numbers.

Everything is read from the hourly rollups (analytics.py), so the page costs the same on a log of any size.
"""

from datetime import UTC, datetime

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode

from . import analytics, charts
from .buffer import audit_buffer
from .csv_export import csv_response

Table = tuple[list[str], list[tuple]]
# The page holds no script or style of its own (the charts are SVG with presentation attributes): hold it to that.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class AnalyticsForm(forms.Form):
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    user = forms.CharField(required=False, max_length=150, label="User", help_text="A username; empty: everyone.")
    group = forms.ModelChoiceField(queryset=Group.objects.order_by("name"), required=False, empty_label="Any")

    def clean_user(self):
        username = self.cleaned_data["user"].strip()
        if not username:
            return None
        users = get_user_model()
        user_id = users.objects.filter(**{users.USERNAME_FIELD: username}).values_list("pk", flat=True).first()
        if user_id is None:
            raise forms.ValidationError("No such user.")
        return user_id

    def scope(self) -> analytics.Range:
        """The days (analytics.range_bounded) and the users asked for."""
        data = self.cleaned_data
        first, last = analytics.range_bounded(
            first=data.get("date_from"), last=data.get("date_to"), today=datetime.now(UTC).date()
        )
        user_ids = None
        if data.get("group") is not None:
            user_ids = set(data["group"].user_set.values_list("pk", flat=True))
        if data.get("user") is not None:
            user_ids = {data["user"]} if user_ids is None else user_ids & {data["user"]}
        return analytics.Range(first=first, last=last, user_ids=None if user_ids is None else tuple(sorted(user_ids)))


def _per_day(points, column: str) -> Table:
    return ["date", column], [(day.isoformat(), n) for day, n in points]


def _ended(scope) -> Table:
    rows = [
        (day.isoformat(), *(ended[r] for r in analytics.END_REASONS))
        for day, ended in analytics.session_ends_per_day(scope)
    ]
    return ["date", *analytics.END_REASONS], rows


# key: (title, how it is drawn, its numbers). The CSV of a chart is exactly its table.
CHARTS = {
    "requests_per_hour": ("Tracked requests per hour (last 24 hours, UTC)", "bars", lambda s: (
        ["hour", "requests"], [(hour.isoformat(), n) for hour, n in analytics.requests_per_hour(s)])),
    "requests_per_day": ("Tracked requests per day", "bars", lambda s: _per_day(
        analytics.requests_per_day(s), "requests")),
    "sessions_started_per_day": ("Sessions started per day", "bars", lambda s: _per_day(
        analytics.events_per_day(s, analytics.LOGIN_SUCCEEDED), "sessions_started")),
    "sessions_ended_per_day": ("Sessions ended per day, by reason", "stacked", _ended),
    "idle_signouts_by_hour": ("Idle sign-outs by hour of day (UTC)", "bars", lambda s: (
        ["hour_of_day", "idle_signouts"], analytics.idle_ends_by_hour_of_day(s))),
    "login_failures_per_day": ("Login failures per day", "bars", lambda s: _per_day(
        analytics.events_per_day(s, analytics.LOGIN_FAILED), "login_failures")),
    "top_users": ("Most active users (tracked requests)", "ranking", lambda s: (
        ["user_id", "username", "requests"], analytics.top_users(s))),
    "top_paths": ("Most active paths (tracked requests)", "ranking", lambda s: (
        ["path", "requests"], analytics.top_paths(s))),
    "session_lengths": ("Session length (minutes)", "facts", lambda s: (
        ["sessions_ended", "median_minutes", "p90_minutes"],
        [tuple(analytics.session_lengths(s).values())])),
    "active_sessions": ("Active sessions now", "facts", lambda s: (
        ["active_sessions"], [(analytics.open_sessions(s),)])),
}  # fmt: skip


def _draw(title: str, kind: str, table: Table):
    header, rows = table
    if kind == "stacked":
        series = {name: [row[i + 1] for row in rows] for i, name in enumerate(header[1:])}
        return charts.stacked_bar_chart(title=title, labels=[row[0][5:] for row in rows], series=series)
    if kind == "ranking":
        return charts.ranking_chart(title=title, items=[(str(row[-2]) or f"user {row[0]}", row[-1]) for row in rows])
    if kind == "bars":
        labels = [row[0][5:] if isinstance(row[0], str) and len(row[0]) == 10 else _short(row[0]) for row in rows]
        return charts.bar_chart(title=title, points=list(zip(labels, [row[1] for row in rows], strict=True)))
    return None  # facts: shown as numbers


def _short(value) -> str:
    return f"{value:02d}h" if isinstance(value, int) else value[11:16]


def analytics_view(request, *, model_admin):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    form = AnalyticsForm(request.GET)  # every field optional: no filter is everyone's last 30 days
    wanted = request.GET.get("csv")
    if wanted is not None and (wanted not in CHARTS or not form.is_valid()):
        return HttpResponseBadRequest("Unknown chart or invalid filter.", content_type="text/plain")
    context = {
        **model_admin.admin_site.each_context(request), "title": "Activity analytics", "form": form, "charts": [],
        "opts": model_admin.model._meta,
    }  # fmt: skip
    if not form.is_valid():  # say what is wrong rather than draw someone else's numbers
        return _page(request, context)
    scope = form.scope()
    audit_buffer.flush()  # what this process has queued counts too
    if wanted is not None:
        header, rows = CHARTS[wanted][2](scope)
        return csv_response(filename=f"activity-{wanted}-{scope.first}-{scope.last}.csv", header=header, rows=rows)
    base = reverse("admin:activity_activitylog_analytics")
    query = {k: v for k, v in request.GET.items() if k in form.fields}
    drawn = context["charts"]
    for key, (title, kind, numbers) in CHARTS.items():
        table = numbers(scope)
        drawn.append({"key": key, "title": title, "svg": _draw(title, kind, table), "header": table[0],
                      "facts": list(zip(table[0], table[1][0], strict=True)) if kind == "facts" else [],
                      "csv_url": f"{base}?{urlencode({**query, 'csv': key})}"})  # fmt: skip
    context["scope"] = scope
    return _page(request, context)


def _page(request, context) -> TemplateResponse:
    response = TemplateResponse(request, "admin/activity/analytics.html", context)
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response
