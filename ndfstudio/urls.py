from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api-auth/", include("rest_framework.urls")),  # the browsable API's sign-in: a login session too
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
