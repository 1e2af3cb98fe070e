"""Reads behind the task templates page (/wbs/templates/)."""

from django.db.models import Count, Q, QuerySet

from wbs.models import CLOSED_STATUSES, TaskTemplate


def templates_for_list() -> QuerySet[TaskTemplate]:
    """Every template with its properties and how many open tasks it has made; three queries."""
    return (
        TaskTemplate.objects.select_related("default_assignee", "backup_assignee")
        .prefetch_related("properties")
        .annotate(
            open_tasks=Count(
                "tasks",
                filter=Q(tasks__deleted_at__isnull=True) & ~Q(tasks__status__in=CLOSED_STATUSES),
            )
        )
        .order_by("-active", "title_pattern")
    )
