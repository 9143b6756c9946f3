"""Response shapes of the activity endpoints."""

from rest_framework import serializers

from .models import ActivityLog


class ActivityLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityLog
        fields = [
            "id",
            "timestamp",
            "category",
            "event",
            "message",
            "user_id",
            "username",
            "session_id",
            "method",
            "path",
            "status_code",
            "ip",
            "user_agent",
            "duration_ms",
            "activity_type",
        ]
        read_only_fields = fields


class ActivityLogListSerializer(serializers.Serializer):
    results = ActivityLogSerializer(many=True)
    count = serializers.IntegerField()
