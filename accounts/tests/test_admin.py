"""The sessions admin: read-only, and revocable."""

import pytest

from accounts.models import LoginSession

pytestmark = pytest.mark.django_db


def test_revoke_action(admin_client, user, login):
    sid = login()["session_id"]
    response = admin_client.post(
        "/admin/accounts/loginsession/", {"action": "revoke", "_selected_action": [sid]}, follow=True
    )
    assert response.status_code == 200
    assert LoginSession.objects.get(pk=sid).end_reason == "revoked"
