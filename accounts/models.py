"""Login sessions: one per login, named by the `sid` claim of every token issued for it."""

import uuid

from django.conf import settings
from django.db import connections, models

_MIRROR_SQL: dict[str, str] = {}  # the statement of mirror_activity, per database vendor


class LoginSessionManager(models.Manager):
    def mirror_activity(self, pk, at) -> int:
        """Move the session's last activity forward to `at` (never back); return the rows updated (0 or 1).

        This runs on every tracked request without a shared clock, and the ORM spends four times longer building
        `filter(...).update(...)` than the database spends running it; so the statement is built once.
        """
        connection = connections[self.db]
        sql = _MIRROR_SQL.get(connection.vendor)
        if sql is None:
            qn, meta = connection.ops.quote_name, self.model._meta
            column = qn("last_activity")
            sql = f"UPDATE {qn(meta.db_table)} SET {column} = %s WHERE {qn(meta.pk.column)} = %s AND {column} < %s"  # noqa: S608
            _MIRROR_SQL[connection.vendor] = sql
        at = self.model._meta.get_field("last_activity").get_db_prep_value(at, connection)
        pk = self.model._meta.pk.get_db_prep_value(uuid.UUID(str(pk)), connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, [at, pk, at])
            return cursor.rowcount


class LoginSession(models.Model):
    class EndReason(models.TextChoices):
        LOGOUT = "logout", "Signed out"
        REVOKED = "revoked", "Revoked"
        INACTIVE = "inactive", "Inactive"
        EXPIRED = "expired", "Reached its maximum age"
        REUSE = "reuse", "Refresh token reuse"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(help_text="The session's absolute end, whatever its activity.")
    # A durable mirror of the activity clock, written at most once per write interval.
    last_activity = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=EndReason.choices, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True)
    # The jti of the only refresh token of this session that may still be used; any other one is reuse.
    refresh_jti = models.CharField(max_length=64, editable=False)

    objects = LoginSessionManager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="loginsession_user_created"),
            # What the admin filters and orders on.
            models.Index(fields=["-created_at"], name="loginsession_created"),
            models.Index(fields=["end_reason"], name="loginsession_end_reason"),
        ]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
