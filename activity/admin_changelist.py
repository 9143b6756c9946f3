"""The log's changelist at scale: filter choices and date drill-down links that read indexes, not every row."""

import datetime

from django.contrib import admin
from django.db.models import Max, Min, QuerySet
from django.utils import timezone

from .selectors import activity_log_distinct_values


class DistinctValuesFilter(admin.AllValuesFieldListFilter):
    """Django's "all values" filter, its choices found by walking the field's index (one probe per value).

    Django's own runs `SELECT DISTINCT` over the whole log on every page: seconds at ten million rows.
    """

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = activity_log_distinct_values(field=field.name)


class DrilldownQuerySet(QuerySet):
    """The admin's rows; `datetimes()`, which only the date drill-down calls, reads two index entries.

    Django's drill-down lists the years, months or days that hold rows with `SELECT DISTINCT date_trunc(...)` over
    every row shown (seconds at ten million rows). Here it lists every period from the first row's to the last
    row's (MIN and MAX: two index probes). A log is written every day, so the lists are the same; a day without
    rows between two with rows gets a link to an empty list.
    """

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None):
        bounds = self.aggregate(first=Min(field_name), last=Max(field_name))
        periods = periods_between(bounds["first"], bounds["last"], kind=kind, tzinfo=tzinfo)
        return periods if order == "ASC" else periods[::-1]


def periods_between(first, last, *, kind: str, tzinfo=None) -> list[datetime.datetime]:
    """Return the start of every year, month or day (`kind`) from the one holding `first` to the one holding `last`.

    In the current time zone (or `tzinfo`), aware, oldest first, as `QuerySet.datetimes()` returns them.
    """
    if first is None or last is None:
        return []
    zone = tzinfo or timezone.get_current_timezone()
    day, end = _truncate(timezone.localtime(first, zone).date(), kind), timezone.localtime(last, zone).date()
    periods = []
    while day <= end:
        periods.append(timezone.make_aware(datetime.datetime.combine(day, datetime.time()), zone))
        day = _next(day, kind)
    return periods


def _truncate(day: datetime.date, kind: str) -> datetime.date:
    if kind == "year":
        return day.replace(month=1, day=1)
    return day.replace(day=1) if kind == "month" else day


def _next(day: datetime.date, kind: str) -> datetime.date:
    if kind == "year":
        return day.replace(year=day.year + 1)
    if kind == "month":
        return day.replace(year=day.year + day.month // 12, month=day.month % 12 + 1)
    return day + datetime.timedelta(days=1)
