"""Sign-ins on the Django session (admin, browsable API): the API login's throttles, and SECURITY rows."""

import pytest
from django.test import Client

from activity.models import ActivityLog
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


PATH = "/admin/login/?next=%2Fadmin%2F"


def admin_login(client, username, password):
    return client.post(PATH, {"username": username, "password": password})


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def root(make_user):
    return make_user("root", is_staff=True, is_superuser=True)


def test_sixty_wrong_passwords_then_the_right_one_is_refused(root, frozen):
    client = Client()
    for _ in range(60):
        assert admin_login(client, "root", "wrong").status_code == 200
    response = admin_login(client, "root", PASSWORD)
    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert not signed_in(client)
    rows = ActivityLog.objects.filter(event="login_failed")
    assert rows.count() == 5
    assert set(rows.values_list("category", "user_id", "path")) == {("SECURITY", root.pk, PATH)}
    frozen.shift(61)
    assert admin_login(client, "root", PASSWORD).status_code == 302
    assert signed_in(client)
    row = ActivityLog.objects.get(event="login_succeeded")  # the login session it started says so, once
    assert (row.category, row.user_id, row.path) == ("SECURITY", root.pk, PATH)


def test_admin_and_api_failures_share_one_count(root, api, frozen):
    for _ in range(3):
        assert api.post("/api/auth/token/", {"username": "root", "password": "x"}, format="json").status_code == 401
    client = Client()
    for _ in range(2):
        admin_login(client, "root", "wrong")
    response = api.post("/api/auth/token/", {"username": "root", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert not signed_in(client) and admin_login(client, "root", PASSWORD).status_code == 200


def test_browsable_api_sign_ins_share_the_count(user, frozen):
    client = Client()
    for _ in range(5):
        response = client.post("/api-auth/login/", {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/api-auth/login/", {"username": "alice", "password": PASSWORD})
    assert "Too many failed sign-ins" in response.content.decode()
    assert not signed_in(client)
    assert ActivityLog.objects.filter(event="login_failed", user_id=user.pk).count() == 5
