"""Projects as WBS trees, tasks with dependencies and tags, board settings and turnover templates."""

import secrets
import uuid

from django.conf import settings
from django.db import connections, models
from django.db.models import Q
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bookings.models import BookingStatus
from core.models import AliveManager, SoftDeleteModel, SoftDeleteQuerySet


class RollupMethod(models.TextChoices):
    COUNT = "count", "By task count"
    DURATION = "duration", "By duration"
    WEIGHT = "weight", "By weight"


class WorkStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ON_HOLD = "on_hold", "On hold"
    DONE = "done", "Done"


class ProjectQuerySet(SoftDeleteQuerySet):
    def for_list_view(self):
        return self.select_related("property").order_by("name", "id")


class Project(SoftDeleteModel):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    property = models.ForeignKey(
        "bookings.Property", null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    rollup_method = models.CharField(max_length=16, choices=RollupMethod.choices, default=RollupMethod.COUNT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AliveManager.from_queryset(ProjectQuerySet)()
    all_objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("wbs:project_detail", args=[self.pk])


class WbsItemQuerySet(SoftDeleteQuerySet):
    def in_tree_order(self):
        """Parents before children, siblings by position: what a printed WBS shows."""
        return self.order_by("project_id", "sort_key", "id")


class WbsItem(SoftDeleteModel):
    """A node of a project's tree. `code` ("1.2.3") is kept right by wbs.services on insert, move, reorder."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    position = models.PositiveIntegerField(default=0, help_text="Order among siblings, from 1.")
    code = models.CharField(max_length=64, blank=True)
    sort_key = models.CharField(
        max_length=255, blank=True, help_text="Zero-padded code, so ordering by it gives tree order."
    )
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=WorkStatus.choices, default=WorkStatus.NOT_STARTED)
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    weight = models.DecimalField(max_digits=8, decimal_places=2, default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AliveManager.from_queryset(WbsItemQuerySet)()
    all_objects = WbsItemQuerySet.as_manager()

    class Meta:
        ordering = ["project", "sort_key"]
        indexes = [
            models.Index(fields=["project", "sort_key"], name="wbs_project_sort_idx"),
            models.Index(fields=["status"], name="wbs_status_idx"),
            models.Index(fields=["code"], name="wbs_code_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    color = models.CharField(max_length=7, default="#64748b", help_text="A CSS colour like #0ea5e9.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaskType(models.TextChoices):
    CLEANING = "cleaning", _("Cleaning")
    INSPECTION = "inspection", _("Inspection")
    MAINTENANCE = "maintenance", _("Maintenance")
    LAUNDRY = "laundry", _("Laundry")
    RESTOCK = "restock", _("Restock")
    PROJECT_WORK = "project_work", _("Project work")
    OTHER = "other", _("Other")


class TaskStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    BLOCKED = "blocked", _("Blocked")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# A closed task no longer blocks its successors, and is never overdue.
CLOSED_STATUSES = (TaskStatus.DONE, TaskStatus.CANCELLED)
# The board's columns a card can be typed into: open work; done and cancelled tasks are reached, not added.
QUICK_ADD_STATUSES = (TaskStatus.TODO, TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED)


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


# What a board card shows (and what its lane is grouped by): loading only these keeps a column of cards cheap to
# fetch, since SQLite rows are converted field by field in Python.
CARD_FIELDS = (
    "title",
    "status",
    "priority",
    "due_date",
    "property__name",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)

# What a Gantt row draws: its bar and label, and the WBS item, project or property it is grouped under (with
# what orders the rows).
GANTT_FIELDS = (
    "title",
    "status",
    "progress",
    "is_milestone",
    "start_date",
    "due_date",
    "wbs_item__title",
    "wbs_item__code",
    "wbs_item__sort_key",
    "wbs_item__project__name",
    "property__name",
    "property__code",
)


class TaskQuerySet(SoftDeleteQuerySet):
    def visible_to(self, user):
        """Managers see every task; a cleaner sees only the tasks assigned to them."""
        from core.roles import is_manager

        if is_manager(user):
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(assignee=user)

    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)

    def for_detail_view(self):
        """Everything the task page shows about the task itself, in one query plus one for the tags."""
        return self.select_related(
            "wbs_item__project", "property", "booking", "assignee", "created_by", "template"
        ).prefetch_related("tags")

    def for_kanban_view(self, *, per_column: int, lane: str | None = None, offset: int = 0, statuses=None):
        """Board cards: ranks `offset+1 … offset+per_column` of each status column (of each lane), in board order.

        The card ids come from one indexed query per column (status, position: a few rows read, whatever the
        number of tasks) or, with swimlanes (`lane` is "property" or "assignee"), from one window-function query
        that ranks cards per column and lane. Then one query for the cards; their badges come from
        `tags_by_task()` and `open_blockers_by_task()`.
        """
        if lane:
            ranked = self.annotate(
                board_rank=models.Window(
                    RowNumber(),
                    partition_by=[models.F("status"), models.F(f"{lane}_id")],
                    order_by=[models.F("position").asc(), models.F("id").asc()],
                )
            ).filter(board_rank__gt=offset, board_rank__lte=offset + per_column)
            if statuses is not None:
                ranked = ranked.filter(status__in=statuses)
            ids = list(ranked.values_list("pk", flat=True))
        else:
            ids = []
            for status in statuses or TaskStatus.values:
                column = self.filter(status=status).order_by("position", "id").values_list("pk", flat=True)
                ids += column[offset : offset + per_column]
        # all_objects: the ids are of live tasks already, and "deleted_at IS NULL" would lead SQLite to scan its index.
        return Task.all_objects.filter(pk__in=ids).with_card_details().order_by("status", "position", "id")

    def with_card_details(self):
        """What a board card shows of the task itself, with its property and assignee: only those columns."""
        return self.select_related("property", "assignee").only(*CARD_FIELDS)

    def tags_by_task(self, task_ids) -> dict[int, list[tuple[str, str]]]:
        """The (name, colour) of each task's tags, by task id, in one query.

        Plain values rather than prefetched Tag objects: a board page shows hundreds of cards, and a prefetch
        builds a model instance and a related manager per card.
        """
        tags: dict[int, list[tuple[str, str]]] = {}
        rows = Task.tags.through.objects.filter(task_id__in=task_ids).order_by("tag__name")
        for task_id, name, color in rows.values_list("task_id", "tag__name", "tag__color"):
            tags.setdefault(task_id, []).append((name, color))
        return tags

    def open_blockers_by_task(self, task_ids) -> dict[int, list[str]]:
        """The titles of each task's open finish-to-start predecessors (its "blocked by" badge), in one query.

        The predecessors' state is checked here, not in SQL: filtering it in SQL would join every live task
        first (SQLite picks the deleted_at index for it), while a card's few links read by successor stay fast.
        """
        blockers: dict[int, list[str]] = {}
        links = TaskDependency.objects.filter(successor_id__in=task_ids, type=DependencyType.FS).order_by("id")
        rows = links.values_list("successor_id", "predecessor__title", "predecessor__status", "predecessor__deleted_at")
        for task_id, title, status, deleted_at in rows:
            if deleted_at is None and status not in CLOSED_STATUSES:
                blockers.setdefault(task_id, []).append(title)
        return blockers

    def board_counts(self, *, lane: str | None = None, limit: int | None = None) -> dict:
        """Cards per column, or per (column, lane id) with swimlanes: one query.

        With `limit`, each column is counted up to `limit` cards only (a count of `limit` means "at least"): one
        statement of per-column counts over `LIMIT`ed subqueries, each read from the (status, position) index,
        so the cost stops growing with the plan. Lanes are counted exactly, by one grouped query.
        """
        if lane:
            rows = self.order_by().values_list("status", f"{lane}_id").annotate(count=models.Count("id"))
            return {(status, lane_id): count for status, lane_id, count in rows}
        if limit is None:
            return dict(self.order_by().values_list("status").annotate(count=models.Count("id")))
        parts: list[str] = []
        params: list = []
        for index, status in enumerate(TaskStatus.values):
            sql, column_params = self.filter(status=status).order_by().values("id")[:limit].query.sql_with_params()
            parts.append(f"SELECT {index}, COUNT(*) FROM ({sql}) AS column_{index}")
            params.extend(column_params)
        with connections[self.db].cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            return {TaskStatus.values[index]: count for index, count in cursor.fetchall() if count}

    def in_gantt_window(self, *, start, end):
        """Tasks with a date in [start, end] (a task with one of its two dates is drawn on that day), unordered
        and unjoined: what the Gantt counts its rows from, reading only the task_live_dates_idx entries."""
        return self.filter(
            Q(start_date__lte=end, due_date__gte=start)
            | Q(start_date__isnull=True, due_date__range=(start, end))
            | Q(due_date__isnull=True, start_date__range=(start, end))
        )

    def for_gantt_view(self, *, start, end):
        """Tasks with a date in [start, end], in Gantt row order: turnover work by property, then projects by
        name and WBS code, then the rest; by start within a group.

        A task with one of its two dates is drawn on that day. Slice it for a page: rows outside the window
        are never loaded, and of the rows in it only the GANTT_FIELDS (a page converts hundreds of rows, each
        joined to its WBS item, project and property).
        """
        in_project = Q(wbs_item__isnull=False)
        return (
            self.in_gantt_window(start=start, end=end)
            .alias(
                gantt_group=models.Case(
                    models.When(in_project, then=models.Value(1)),
                    models.When(property__isnull=False, then=models.Value(0)),
                    default=models.Value(2),
                ),
                gantt_label=models.Case(
                    models.When(in_project, then=models.F("wbs_item__project__name")),
                    default=models.F("property__name"),
                ),
                gantt_group_id=models.Case(
                    models.When(in_project, then=models.F("wbs_item__project_id")), default=models.F("property_id")
                ),
            )
            .select_related("wbs_item__project", "property")
            .only(*GANTT_FIELDS)
            .order_by(
                "gantt_group", "gantt_label", "gantt_group_id", "wbs_item__sort_key", "start_date", "due_date", "id"
            )
        )


class Task(SoftDeleteModel):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Indexed only where set (task_wbs_item_idx): a booking's turnover tasks belong to no item.
    wbs_item = models.ForeignKey(
        WbsItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks", db_index=False
    )
    property = models.ForeignKey(
        "bookings.Property", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    template = models.ForeignKey("TaskTemplate", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    type = models.CharField(max_length=16, choices=TaskType.choices, default=TaskType.OTHER)
    status = models.CharField(max_length=16, choices=TaskStatus.choices, default=TaskStatus.TODO)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # Searched through task_assignee_due_idx, which leads with it.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks", db_index=False
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tasks")
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, help_text="A deadline time, e.g. the next check-in.")
    estimate_hours = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done, 0–100.")
    is_milestone = models.BooleanField(default=False)
    position = models.FloatField(default=0, help_text="Order within its board column; gaps allow one write per move.")
    same_day = models.BooleanField(default=False, help_text="A check-out and the next check-in on the same day.")
    cancel_reason = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Shown, never searched by (only deleting a user reads by it): no index, as for deleted_by.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AliveManager.from_queryset(TaskQuerySet)()
    all_objects = TaskQuerySet.as_manager()

    # Display values the board's read (wbs.queries.board.with_card_fields) puts on each card: not fields.
    assignee_name: str
    initials: str
    due_label: str
    overdue: bool
    tag_list: list
    blocked_titles: str
    blocked_count: int
    status_options: str
    priority_label: str
    url: str

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            # Exactly one task per (booking, template) among live tasks, whatever races the Python code loses.
            models.UniqueConstraint(
                fields=["booking", "template"],
                condition=Q(deleted_at__isnull=True, booking__isnull=False, template__isnull=False),
                name="task_one_per_booking_template_live",
            ),
        ]
        # Every index is paid for by every new task (a first import writes tens of thousands): none repeats the
        # leading columns of another (status is served by the two below that lead with it).
        indexes = [
            models.Index(fields=["wbs_item"], name="task_wbs_item_idx", condition=Q(wbs_item__isnull=False)),
            models.Index(fields=["type"], name="task_type_idx"),
            models.Index(fields=["priority"], name="task_priority_idx"),
            models.Index(fields=["status", "type"], name="task_status_type_idx"),
            models.Index(fields=["status", "position"], name="task_status_position_idx"),
            models.Index(fields=["start_date", "due_date"], name="task_dates_idx"),
            models.Index(fields=["assignee", "due_date"], name="task_assignee_due_idx"),
            models.Index(fields=["due_date"], name="task_due_idx"),
            # The critical path's fingerprint reads the latest change from it without visiting every row.
            models.Index(fields=["updated_at"], name="task_updated_idx"),
            # The Gantt's window filter on live rows: SQLite reads only the entries that start before the
            # window's end (task_dates_idx cannot serve "deleted_at IS NULL", so it scanned every live task).
            models.Index(fields=["deleted_at", "start_date", "due_date"], name="task_live_dates_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("wbs:task_detail", args=[self.pk])


class ChecklistItem(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="checklist")
    text = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    requires_photo = models.BooleanField(default=False)
    required = models.BooleanField(default=True)
    done = models.BooleanField(default=False)
    # Shown, never searched by: no index, as for a task's created_by.
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["task", "position", "id"]

    def __str__(self) -> str:
        return self.text


class TaskComment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on {self.task_id}"


class DependencyType(models.TextChoices):
    FS = "FS", "Finish to start"
    SS = "SS", "Start to start"
    FF = "FF", "Finish to finish"
    SF = "SF", "Start to finish"


class TaskDependency(models.Model):
    predecessor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="predecessor_links")
    type = models.CharField(max_length=2, choices=DependencyType.choices, default=DependencyType.FS)
    lag_days = models.IntegerField(default=0, help_text="Lag in working days; negative for lead.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "task dependencies"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="dependency_unique_pair"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="dependency_not_self"),
        ]
        indexes = [
            models.Index(fields=["predecessor"], name="dependency_predecessor_idx"),
            models.Index(fields=["successor"], name="dependency_successor_idx"),
            # The critical path's fingerprint sums the lags of the few links that have one, from this alone.
            models.Index(fields=["lag_days"], condition=~Q(lag_days=0), name="dependency_lagged_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} {self.type} {self.successor_id}"


class BoardColumn(models.Model):
    """Work-in-progress limit for one status column of the board."""

    status = models.CharField(max_length=16, choices=TaskStatus.choices, unique=True)
    wip_limit = models.PositiveIntegerField(null=True, blank=True)
    hard_limit = models.BooleanField(default=False, help_text="Refuse moves over the limit instead of warning.")

    class Meta:
        ordering = ["status"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} (limit {self.wip_limit or '—'})"


class Holiday(models.Model):
    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"


class TemplateTrigger(models.TextChoices):
    AFTER_CHECK_OUT = "after_check_out", "After check-out"
    BEFORE_CHECK_IN = "before_check_in", "Before check-in"
    ON_CHECK_IN = "on_check_in", "On check-in"
    EVERY_N_NIGHTS = "every_n_nights", "Every N nights of a stay"


def default_template_statuses() -> list[str]:
    return [BookingStatus.BOOKED, BookingStatus.CONFIRMED, BookingStatus.CURRENTLY_HOSTING, BookingStatus.COMPLETED]


class TaskTemplate(models.Model):
    title_pattern = models.CharField(
        max_length=200, help_text="Placeholders: {property} {guest} {check_in} {check_out} {nights} {guests}"
    )
    type = models.CharField(max_length=16, choices=TaskType.choices, default=TaskType.CLEANING)
    trigger = models.CharField(max_length=20, choices=TemplateTrigger.choices, default=TemplateTrigger.AFTER_CHECK_OUT)
    offset_hours = models.IntegerField(default=0, help_text="Hours after (or before) the trigger moment.")
    duration_minutes = models.PositiveIntegerField(default=120)
    every_n_nights = models.PositiveSmallIntegerField(null=True, blank=True)
    default_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    backup_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    checklist = models.JSONField(
        default=list, blank=True, help_text='Items like {"text": "Photo of the kitchen", "requires_photo": true}.'
    )
    properties = models.ManyToManyField(
        "bookings.Property", blank=True, related_name="task_templates", help_text="Empty: every property."
    )
    booking_statuses = models.JSONField(default=default_template_statuses, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title_pattern"]

    def __str__(self) -> str:
        return self.title_pattern


# --- Turnovers and the field app (issue: turnovers) ---


def _private_upload_path(folder: str, filename: str) -> str:
    """A random name: the stored path must not be guessable, and the original name may hold personal data."""
    return f"{folder}/{uuid.uuid4().hex}.jpg"


def task_photo_path(instance, filename: str) -> str:
    return _private_upload_path("task-photos", filename)


def task_thumbnail_path(instance, filename: str) -> str:
    return _private_upload_path("task-photos/thumbs", filename)


class TaskPhotoQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Photos of the tasks the user may see; a cleaner asking for another cleaner's photo gets nothing."""
        return self.filter(task__in=Task.objects.visible_to(user))


class TaskPhoto(models.Model):
    """A photo taken on a task, re-encoded without metadata; served only through an access-checked view."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="photos")
    checklist_item = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    image = models.FileField(upload_to=task_photo_path, max_length=200)
    thumbnail = models.FileField(upload_to=task_thumbnail_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TaskPhotoQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Photo {self.pk} of task {self.task_id}"

    def get_absolute_url(self) -> str:
        return reverse("wbs:photo", args=[self.pk])


class ProblemReport(models.Model):
    """A cleaner's report from a task; it becomes a maintenance task for the managers."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="problem_reports")
    maintenance_task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="problem_report")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Problem at task {self.task_id}: {self.text[:40]}"


class CalendarTokenQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret in a cleaner's private calendar feed URL; revoking it makes the old URL answer 404."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens")
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="calendar_token_one_live_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class FieldActionOutcome(models.TextChoices):
    APPLIED = "applied", "Applied"
    REFUSED = "refused", "Refused"


class FieldAction(models.Model):
    """One field action a cleaner's phone sent with its own idempotency key, recorded once per user and key.

    The unique constraint is what makes a replayed or doubled request harmless: the second insert of a key
    fails inside the action's transaction, and the first outcome is answered again.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    action = models.CharField(max_length=20)
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    made_at = models.DateTimeField(null=True, blank=True, help_text="When the phone says the action was made.")
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=FieldActionOutcome.choices)
    response_status = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=500, blank=True)

    # Set by wbs.services.field_actions: True when this request repeated a key already recorded (not a field).
    replayed: bool = False

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="field_action_user_key_unique")]

    def __str__(self) -> str:
        return f"{self.action} {self.key} ({self.outcome})"


class PlanVersion(models.Model):
    """One row whose token changes with every committed change to the schedule: a task's dates, status or
    deletion, or a dependency added, removed or changed. Database triggers write it (migration
    0009_gantt_plan_version), so no writer can forget; the Gantt's critical-path cache is keyed by it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"Plan version {self.token}"
