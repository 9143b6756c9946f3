from django.urls import re_path

from . import stats, views

urlpatterns = [
    re_path(r"^api/logs/recent/?$", views.RecentLogsView.as_view(), name="logs-recent"),
    re_path(r"^api/logs/stats/?$", stats.StatsView.as_view(), name="logs-stats"),
]
