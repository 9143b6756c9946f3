"""BENCHMARK ONLY: a minimal Django + SimpleJWT app serving `/api/auth/me`'s JSON, the floor `make bench` shows.

`DJANGO_SETTINGS_MODULE=bench.minimal`: the project's database, signing key and logging; no middleware, no DRF
view (bench/minimal_urls.py). What the product pays above this is Django's middleware, DRF's request and response
machinery, and ndfstudio's own session check and audit row.
"""

from ndfstudio.settings import *  # noqa: F403
from ndfstudio.settings import SIMPLE_JWT

INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework_simplejwt"]
MIDDLEWARE = []
ROOT_URLCONF = "bench.minimal_urls"
SIMPLE_JWT = {**SIMPLE_JWT, "AUTH_TOKEN_CLASSES": ("rest_framework_simplejwt.tokens.AccessToken",)}
