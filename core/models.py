"""Cross-cutting models: the append-only audit trail, the soft-delete base every domain model uses, job failures."""

from typing import TypeVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone


class AuditSource(models.TextChoices):
    WEB = "web", "Web"
    IMPORT = "import", "Import"
    CLI = "cli", "Command line"
    AUTOMATION = "automation", "Automation"
    ADMIN = "admin", "Admin"
    CALENDAR = "calendar", "Calendar feed"


class AuditAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    CANCEL = "cancel", "Cancelled"
    DELETE = "delete", "Deleted"
    RESTORE = "restore", "Restored"
    RESOLVE = "resolve", "Resolved"
    MOVE = "move", "Moved"
    IMPORT = "import", "Imported"


class AuditEntryQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> "AuditEntryQuerySet":
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        return self.filter(content_type=content_type, object_id=str(obj.pk)).select_related("actor")

    def for_list_view(self) -> "AuditEntryQuerySet":
        return self.select_related("actor", "content_type").order_by("-created_at", "-id")

    def matching_text(self, text: str) -> "AuditEntryQuerySet":
        """Entries whose object name or message holds `text` (any case), or whose request or object id is it."""
        return self.alias(search_text=RawSQL(AUDIT_SEARCH_TEXT, [], output_field=models.TextField())).filter(
            Q(search_text__icontains=text) | Q(request_id=text) | Q(object_id=text)
        )


# What the text search reads: the object's name and the message as one text, so that on PostgreSQL one trigram
# index serves both (core migration 0008 indexes this very expression; SQLite scans).
AUDIT_SEARCH_TEXT = '"core_auditentry"."object_repr" || \' \' || "core_auditentry"."message"'


class AuditEntry(models.Model):
    """One change to one object. Rows are only ever inserted: history must not change."""

    # Both foreign keys are searched through the composite indexes below, which lead with them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    source = models.CharField(max_length=16, choices=AuditSource.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    changes = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=300, blank=True)
    batch_id = models.BigIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["batch_id"], name="audit_batch_idx"),
            # Only people's entries: an import's or the automation's (no actor) would fill it for nothing.
            models.Index(fields=["actor", "created_at"], name="audit_actor_idx", condition=Q(actor__isnull=False)),
            # The text search's exact matches; its substring matches use trigram indexes on PostgreSQL that
            # only migration 0006 knows (SQLite has none).
            models.Index(fields=["request_id"], name="audit_request_idx"),
            models.Index(fields=["object_id"], name="audit_object_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only.")


_M = TypeVar("_M", bound=models.Model)


class SoftDeleteQuerySet(models.QuerySet[_M]):
    def alive(self) -> "SoftDeleteQuerySet[_M]":
        return self.filter(deleted_at__isnull=True)

    def dead(self) -> "SoftDeleteQuerySet[_M]":
        return self.filter(deleted_at__isnull=False)

    @classmethod
    def as_alive_manager(cls):
        """A default manager with this queryset's methods that hides soft-deleted rows.

        Models write `AliveManager.from_queryset(TheirQuerySet)()` instead: the same manager, in the form
        the django-stubs mypy plugin can type."""
        return AliveManager.from_queryset(cls)()


class AliveManager(models.Manager[_M]):
    """The default manager: soft-deleted rows are invisible unless asked for through `all_objects`.

    Used as `AliveManager.from_queryset(SomeSoftDeleteQuerySet)()`, so the queryset's methods are on it too."""

    def get_queryset(self) -> models.QuerySet[_M]:
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeleteModel(models.Model):
    """Deleting hides a row and keeps it; `core.softdelete` deletes and restores with audit entries."""

    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    # Who deleted a row is shown, never searched by: no index (every insert would add an empty entry to it). Only
    # deleting a user reads by it, to empty it, once.
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,
    )

    # Each concrete model declares its own managers with its own queryset:
    #     objects = AliveManager.from_queryset(TheQuerySet)()   (hides soft-deleted rows; the default)
    #     all_objects = TheQuerySet.as_manager()
    # Declared here too, the django-stubs plugin would reject the concrete models' declarations as
    # overriding class variables.

    class Meta:
        # Django's base manager (used for `task.property`) stays the plain one, so a live row still
        # reaches a related row that was deleted after it.
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class JobFailureState(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    INVESTIGATING = "investigating", "Investigating"
    RESOLVED = "resolved", "Resolved"
    IGNORED = "ignored", "Ignored"


# Where each state may go next. Resolved and ignored failures are reopened by hand (back to new), or by
# themselves when a resolved one happens again.
JOB_FAILURE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    JobFailureState.NEW: (
        JobFailureState.ACKNOWLEDGED,
        JobFailureState.INVESTIGATING,
        JobFailureState.RESOLVED,
        JobFailureState.IGNORED,
    ),
    JobFailureState.ACKNOWLEDGED: (JobFailureState.INVESTIGATING, JobFailureState.RESOLVED, JobFailureState.IGNORED),
    JobFailureState.INVESTIGATING: (JobFailureState.RESOLVED, JobFailureState.IGNORED),
    JobFailureState.RESOLVED: (JobFailureState.NEW,),
    JobFailureState.IGNORED: (JobFailureState.NEW,),
}
OPEN_JOB_FAILURE_STATES = (JobFailureState.NEW, JobFailureState.ACKNOWLEDGED, JobFailureState.INVESTIGATING)


class JobFailureQuerySet(models.QuerySet):
    def for_list_view(self) -> "JobFailureQuerySet":
        # The traceback is for the detail page only: it can be long, and a list shows dozens of rows.
        return self.select_related("started_by", "content_type").defer("traceback").order_by("-last_seen_at", "-id")

    def for_detail_view(self) -> "JobFailureQuerySet":
        return self.select_related("started_by", "content_type", "state_changed_by")

    def counts_by_state(self) -> dict[str, int]:
        """{state: failures} for every state, zeros included, in one query."""
        counted = dict(self.order_by().values_list("state").annotate(failures=models.Count("id")))
        return {state: counted.get(state, 0) for state in JobFailureState.values}


class JobFailure(models.Model):
    """One distinct failure of a background job (same job, error type, place and message shape), however often.

    Core knows no domain app, so the object a failed job was about is a content type and id, or just a label.
    """

    fingerprint = models.CharField(max_length=64, unique=True, editable=False)
    job_name = models.CharField(max_length=200, db_index=True)
    job_id = models.CharField(max_length=64, blank=True, help_text="The django-tasks result id of the last occurrence.")
    arguments = models.JSONField(default=dict, blank=True, help_text="The last occurrence's arguments, secrets masked.")
    error_type = models.CharField(max_length=200)
    message = models.TextField(blank=True)
    location = models.CharField(max_length=300, blank=True, help_text="Module and function where the error was raised.")
    traceback = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    occurrences = models.PositiveIntegerField(default=1)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)
    state = models.CharField(max_length=16, choices=JobFailureState.choices, default=JobFailureState.NEW, db_index=True)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state_changed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True, help_text="When the operators were last emailed.")

    objects = JobFailureQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.short_job_name}: {self.error_type}"

    def get_absolute_url(self) -> str:
        return reverse("core:job_failure", args=[self.pk])

    @property
    def short_job_name(self) -> str:
        return self.job_name.rsplit(".", 1)[-1]

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_JOB_FAILURE_STATES

    def next_states(self) -> tuple[str, ...]:
        return JOB_FAILURE_TRANSITIONS.get(self.state, ())


class JobHeartbeat(models.Model):
    """A running job's sign of life, written by its worker every JOB_LEASE_SECONDS / 3.

    A job whose worker died (killed, machine lost) stops beating; after JOB_LEASE_SECONDS it is taken over
    (`core.job_leases.jobs_reclaim_lost`). Kept apart from django-tasks' own table, which has no such column.
    """

    job_id = models.CharField(max_length=64, primary_key=True)
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.job_id} at {self.beat_at:%H:%M:%S}"


class UserPreference(models.Model):
    """A person's own settings. The language is set by a manager or by the person; blank means the browser's."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    language = models.CharField(
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text="Blank: the language the browser asks for.",
    )

    def __str__(self) -> str:
        return f"{self.user}: {self.language or 'browser language'}"
