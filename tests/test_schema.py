"""The OpenAPI schema tells the truth: schemathesis calls every operation in-process, with a valid token."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import RequestFactory
from hypothesis import HealthCheck, settings

from accounts.sessions import session_start
from ndfstudio.wsgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # The app is called in-process, as Django's test client calls it: like the client, keep the end of a request
    # from closing the connection that holds the test's transaction (PostgreSQL would then see none of its rows).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/schema", application)


@schema.parametrize()
@settings(max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_documented_and_never_a_server_error(case, django_user_model):
    user, _ = django_user_model.objects.get_or_create(username="alice")
    # A fresh session per case: a generated logout must not leave the following cases without a token.
    _, _, access = session_start(user=user, request=RequestFactory().get("/"))
    # Every check of response and schema; not whether the API refuses what the schema leaves out (a lowercase
    # category is taken), which is leniency, not a lie.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {access}"}, excluded_checks=[schemathesis.checks.negative_data_rejection]
    )
