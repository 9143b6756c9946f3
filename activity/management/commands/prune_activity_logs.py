from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from activity.conf import activity_settings
from activity.progress import Progress
from activity.retention import retention_prune


class Command(BaseCommand):
    help = (
        "Delete activity log rows older than the retention period (ACTIVITY_LOG_RETENTION_DAYS), in batches, and "
        "the login sessions that ended before then. Shows its progress on a terminal (stderr), nothing under cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="Keep this many days instead of the configured retention.")

    def handle(self, *args, days=None, **options):
        days = activity_settings().RETENTION_DAYS if days is None else days
        if days < 0:
            raise CommandError("--days must be zero or more.")
        deleted = retention_prune(older_than=timedelta(days=days), progress=Progress(self.stderr))
        counts = [f"{n} {what}" for what, n in deleted.items()]
        listed = ", ".join(counts[:-1]) + f" and {counts[-1]}" if len(counts) > 1 else counts[0]
        self.stdout.write(f"Deleted {listed} (kept: the last {days} days; Django sessions until they expire).")
