from django.urls import re_path

from . import views

# Every path answers with and without its trailing slash, without a redirect.
urlpatterns = [
    re_path(r"^api/auth/token/?$", views.LoginView.as_view(), name="token"),
    re_path(r"^api/auth/token/refresh/?$", views.RefreshView.as_view(), name="token-refresh"),
    re_path(r"^api/auth/recover/?$", views.RecoverView.as_view(), name="recover"),
    re_path(r"^api/auth/logout/?$", views.LogoutView.as_view(), name="logout"),
    re_path(r"^api/auth/logout/all/?$", views.LogoutAllView.as_view(), name="logout-all"),
    re_path(r"^api/auth/me/?$", views.MeView.as_view(), name="me"),
    re_path(r"^api/auth/config/?$", views.ConfigView.as_view(), name="config"),
    re_path(r"^api/auth/policy/?$", views.PolicyView.as_view(), name="policy"),
    re_path(r"^api/auth/session/?$", views.SessionView.as_view(), name="session"),
    re_path(r"^api/auth/session/extend/?$", views.SessionExtendView.as_view(), name="session-extend"),
    re_path(r"^api/auth/sessions/?$", views.LoginSessionListView.as_view(), name="sessions"),
    re_path(r"^api/auth/sessions/(?P<pk>[^/]+)/?$", views.LoginSessionDetailView.as_view(), name="session-detail"),
]
