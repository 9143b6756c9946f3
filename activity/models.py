"""The activity log: one row per tracked request (AUDIT) and per security event or failure."""

from django.conf import settings
from django.db import models


class ActivityLog(models.Model):
    class Category(models.TextChoices):
        AUDIT = "AUDIT"
        SECURITY = "SECURITY"
        ERROR = "ERROR"

    timestamp = models.DateTimeField()  # indexed with the id below: the log's order
    category = models.CharField(max_length=8, choices=Category.choices)
    event = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    # Audit rows outlive their user: no database constraint, and deleting a user keeps the rows' user id.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the (user, ...) indexes below lead with it: a fourth index on user_id alone is pure cost
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True)
    session_id = models.UUIDField(null=True, blank=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=512, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    activity_type = models.CharField(max_length=16, blank=True, help_text="Of a tracked request (activity/types.py).")

    class Meta:
        ordering = ["-timestamp", "-id"]
        indexes = [
            # The log's order (newest first): the admin's pages, deep ones by the key alone (activity/paginators.py),
            # the date drill-down's MIN/MAX, pruning by age.
            models.Index(fields=["timestamp", "id"], name="activitylog_ts_id"),
            # "This user's (or session's) newest rows, by category": the recent-logs API and the admin. The id ends
            # the order (-timestamp, -id) inside the index: LIMIT 500 reads 500 entries, no sort of all of a user's.
            models.Index(fields=["user", "category", "-timestamp", "-id"], name="activitylog_user_cat_ts_id"),
            models.Index(fields=["user", "-timestamp", "-id"], name="activitylog_user_ts_id"),
            models.Index(fields=["session_id", "-timestamp"], name="activitylog_session_ts"),
            models.Index(fields=["category", "-timestamp", "-id"], name="activitylog_cat_ts_id"),
            # The admin's event filter (its choices walk this index).
            models.Index(fields=["event"], name="activitylog_event"),
            # On PostgreSQL only, outside the migration state (migrations 0004 and 0005), the admin's search
            # (activity/selectors.py) has three more: (username, -timestamp, -id), (ip, -timestamp, -id) and path
            # (LIKE 'x%'). On SQLite, the embedded default with small logs, they cost every insert and delete more
            # than they save a search: pruning 1,000,000 rows took 85 s with them, 49 s without.
        ]

    def __str__(self):
        return f"{self.timestamp:%Y-%m-%d %H:%M:%S} {self.category} {self.message}"


class ActivityRollup(models.Model):
    """Counts of log rows per hour or per day, kept up to date as rows are written: the analytics never scan the log.

    `user_id` 0 holds everyone's counts; a user's own counts are kept under their id as well. Dimensions, by hour:
    `event` (key `CATEGORY:event`, every row); by day: `path` and `type` (of AUDIT rows), and `user` (key: the user
    id, in everyone's counts only: the ranking of users). These are written by a database trigger on the log
    (migration 0003), so they always equal a count of the raw rows. By hour, from the session owner (rollups.py):
    `session_end` (key: the end reason) and `session_minutes` (key: whole minutes the session lasted).
    """

    bucket = models.DateTimeField(help_text="The start of the hour, or of the (UTC) day, counted.")
    user_id = models.BigIntegerField(default=0)
    dimension = models.CharField(max_length=16)
    key = models.CharField(max_length=512)
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "dimension", "bucket", "key"], name="activityrollup_bucket"),
        ]
        indexes = [models.Index(fields=["dimension", "bucket"], name="activityrollup_dim_bucket")]

    def __str__(self):
        return f"{self.bucket:%Y-%m-%d %H}h user={self.user_id} {self.dimension}={self.key}: {self.count}"
