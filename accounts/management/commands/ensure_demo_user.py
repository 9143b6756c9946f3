from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo user demo / demo-password (a superuser) if the database has no user at all."

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.exists():
            return
        User.objects.create_superuser("demo", email="demo@example.com", password="demo-password")
        self.stdout.write(
            "Created the demo user: username 'demo', password 'demo-password' (a superuser: it can review logs and "
            "sessions in /admin/)."
        )
