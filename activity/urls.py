from django.urls import re_path

from . import views

urlpatterns = [
    re_path(r"^api/logs/recent/?$", views.RecentLogsView.as_view(), name="logs-recent"),
]
