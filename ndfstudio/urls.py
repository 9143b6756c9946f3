from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.forms import ThrottledLoginForm

from . import views

BROWSABLE_LOGIN = {"template_name": "rest_framework/login.html", "authentication_form": ThrottledLoginForm}

urlpatterns = [
    path("admin/", admin.site.urls),
    # The browsable API's sign-in: throttled like the API login, and a login session too.
    path("api-auth/login/", LoginView.as_view(**BROWSABLE_LOGIN), name="browsable-login"),
    path("api-auth/", include("rest_framework.urls")),
    path("", include("accounts.urls")),
    path("", include("activity.urls")),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    re_path(r"^healthz/?$", views.healthz, name="healthz"),
    re_path(r"^login/?$", views.PageView.as_view(template_name="login.html"), name="login"),
    path("", views.PageView.as_view(template_name="dashboard.html"), name="dashboard"),
]

handler400 = "ndfstudio.exceptions.bad_request"
handler404 = "ndfstudio.exceptions.not_found"
handler500 = "ndfstudio.exceptions.server_error"
