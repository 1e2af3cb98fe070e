"""Properties, bookings, import batches and booking conflicts."""

import datetime
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from core.models import AliveManager, SoftDeleteModel, SoftDeleteQuerySet


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a time zone name; use one like Europe/Lisbon.")


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class PropertyQuerySet(SoftDeleteQuerySet):
    def active(self):
        return self.filter(active=True)

    def with_upcoming_count(self, today: datetime.date):
        """Each property with `upcoming`: its live, not cancelled bookings that end today or later."""
        upcoming = Q(bookings__deleted_at__isnull=True, bookings__check_out__gte=today) & ~Q(
            bookings__status="cancelled"
        )
        return self.annotate(upcoming=models.Count("bookings", filter=upcoming))


class Property(SoftDeleteModel):
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=20, help_text="Short code, e.g. BEACH. Unique among live properties.")
    address = models.TextField(blank=True)
    time_zone = models.CharField(max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone])
    check_in_time = models.TimeField(default=datetime.time(15, 0))
    check_out_time = models.TimeField(default=datetime.time(11, 0))
    aliases = models.JSONField(
        default=list, blank=True, help_text="Listing names the platforms' exports use for this property."
    )
    active = models.BooleanField(
        default=True,
        help_text="Untick while the property is not let: it leaves the booking form and the timeline (unless it "
        "has stays in view). Its bookings, tasks and history stay; archive it to remove it altogether.",
    )
    feed_token = models.CharField(max_length=64, default=new_feed_token, unique=True, editable=False)
    maintenance_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who gets the problems cleaners report here. Nobody: the PROBLEM_DEFAULT_OWNER setting decides.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AliveManager.from_queryset(PropertyQuerySet)()
    all_objects = PropertyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "properties"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("code"), condition=Q(deleted_at__isnull=True), name="property_code_unique_live"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("bookings:property_detail", args=[self.pk])


class BookingSource(models.TextChoices):
    AIRBNB = "airbnb", "Airbnb"
    BOOKINGCOM = "bookingcom", "Booking.com"
    VRBO = "vrbo", "Vrbo"
    DIRECT = "direct", "Direct"
    OTHER = "other", "Other"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CONFIRMED = "confirmed", "Confirmed"
    CURRENTLY_HOSTING = "currently_hosting", "Currently hosting"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    OWNER_STAYING = "owner_staying", "Owner staying"
    # A platform's calendar block (no guest): shown on the timeline, never a guest, no turnover by default.
    BLOCKED = "blocked", "Blocked"


class BookingQuerySet(SoftDeleteQuerySet):
    def not_cancelled(self):
        return self.exclude(status=BookingStatus.CANCELLED)

    def overlapping(self, start: datetime.date, end: datetime.date):
        """Bookings whose stay shares a night with [start, end): a check-out on `start` does not."""
        return self.filter(check_in__lt=end, check_out__gt=start)

    def for_table(self):
        return self.select_related("property")

    def upcoming_at(self, prop: "Property", today: datetime.date):
        """A property's stays that have not ended, soonest first, cancelled ones left out."""
        return self.not_cancelled().filter(property=prop, check_out__gte=today).order_by("check_in", "id")


class Booking(SoftDeleteModel):
    # Searched through booking_property_stay_idx, which leads with it.
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="bookings", db_index=False)
    source = models.CharField(max_length=16, choices=BookingSource.choices, default=BookingSource.DIRECT)
    external_code = models.CharField(
        max_length=64, blank=True, help_text="The platform's confirmation code; unique per source."
    )
    guest_name = models.CharField(max_length=200)
    guest_contact = models.CharField(max_length=200, blank=True)
    adults = models.PositiveSmallIntegerField(default=1)
    children = models.PositiveSmallIntegerField(default=0)
    infants = models.PositiveSmallIntegerField(default=0)
    check_in = models.DateField()
    check_out = models.DateField()
    status = models.CharField(max_length=20, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED)
    source_status = models.CharField(max_length=64, blank=True, help_text="The status as the source wrote it.")
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    notes = models.TextField(blank=True)
    booked_on = models.DateField(null=True, blank=True)
    edited_by_hand = models.BooleanField(
        default=False, help_text="Changed in StayOps since the last import: imports raise a conflict."
    )
    last_import_batch = models.ForeignKey(
        "ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AliveManager.from_queryset(BookingQuerySet)()
    all_objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["check_in", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(check_out__gt=models.F("check_in")), name="booking_checkout_after_checkin"
            ),
            models.UniqueConstraint(
                fields=["source", "external_code"],
                condition=Q(deleted_at__isnull=True) & ~Q(external_code=""),
                name="booking_code_unique_per_source_live",
            ),
        ]
        indexes = [
            models.Index(fields=["property", "check_in", "check_out"], name="booking_property_stay_idx"),
            models.Index(fields=["check_in"], name="booking_check_in_idx"),
            models.Index(fields=["check_out"], name="booking_check_out_idx"),
            models.Index(fields=["status"], name="booking_status_idx"),
            models.Index(fields=["source", "external_code"], name="booking_source_code_idx"),
        ]

    def __str__(self) -> str:
        code = self.external_code or f"#{self.pk}"
        return f"{self.guest_name} ({code})"

    def get_absolute_url(self) -> str:
        return reverse("bookings:detail", args=[self.pk])

    def clean(self) -> None:
        if self.check_in and self.check_out and self.check_out <= self.check_in:
            raise ValidationError({"check_out": "Check-out must be after check-in."})

    # Plain methods, not @property: the `property` field above shadows the builtin in this class body.
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    def guests(self) -> int:
        return self.adults + self.children + self.infants


# The booking's own data, as imports fill it and audit entries record it (foreign key by its column name).
BOOKING_DATA_FIELDS = (
    "property_id",
    "source",
    "external_code",
    "guest_name",
    "guest_contact",
    "adults",
    "children",
    "infants",
    "check_in",
    "check_out",
    "status",
    "source_status",
    "amount",
    "currency",
    "notes",
    "booked_on",
)


class StatusAlias(models.Model):
    """A source status word mapped to an internal status, added by managers without a deploy."""

    source = models.CharField(max_length=16, choices=BookingSource.choices, blank=True, help_text="Blank: any source.")
    value = models.CharField(max_length=64, help_text="As the export writes it; case and spaces are ignored.")
    status = models.CharField(max_length=20, choices=BookingStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "value"]
        verbose_name_plural = "status aliases"
        constraints = [
            models.UniqueConstraint(fields=["source", "value"], name="status_alias_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.value} → {self.status}"


def import_upload_path(batch: "ImportBatch", file_name: str) -> str:
    """A random name: the uploader's file name is kept on the batch, never used as a path."""
    suffix = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    return f"imports/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{suffix[:8]}"


class ImportState(models.TextChoices):
    PREVIEWED = "previewed", "Previewed"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    APPLIED = "applied", "Applied"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed"
    STALE = "stale", "Stale"


class ImportBatch(models.Model):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    source_format = models.CharField(max_length=16, blank=True)
    state = models.CharField(max_length=16, choices=ImportState.choices, default=ImportState.PREVIEWED)
    message = models.TextField(blank=True)
    counts = models.JSONField(default=dict, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(
        max_length=64, blank=True, help_text="State of the affected bookings at preview, to refuse a stale apply."
    )
    # Kept in the default storage, which is private (no public URL): read again between preview and apply.
    file = models.FileField(upload_to=import_upload_path, max_length=255, blank=True)
    # Which bookings the preview looked at (codes, properties, dates), so apply can re-check the same ones.
    scope = models.JSONField(default=dict, blank=True, editable=False)
    # The background job working on the batch and its last sign of life: a batch whose job died is marked failed.
    job_id = models.CharField(max_length=64, blank=True, editable=False)
    progressed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self) -> str:
        return reverse("bookings:import_detail", args=[self.pk])


class ImportRowAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    UNCHANGED = "unchanged", "Unchanged"
    CANCEL = "cancel", "Cancel"
    CONFLICT = "conflict", "Conflict"
    ERROR = "error", "Error"


class ImportRow(models.Model):
    # Searched through import_row_action_idx, which leads with it.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows", db_index=False)
    row_number = models.PositiveIntegerField()
    action = models.CharField(max_length=16, choices=ImportRowAction.choices)
    external_code = models.CharField(max_length=64, blank=True)
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, blank=True, help_text="The row as parsed into booking fields.")
    raw = models.JSONField(default=dict, blank=True, help_text="The row's cells as the file had them.")
    diff = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["batch", "row_number"]
        indexes = [models.Index(fields=["batch", "action"], name="import_row_action_idx")]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.action}"


class ConflictKind(models.TextChoices):
    OVERLAP = "overlap", "Overlapping stays"
    EDITED_BY_HAND = "edited_by_hand", "Import changes a booking edited by hand"
    DUPLICATE_IN_FILE = "duplicate_in_file", "Same code twice in one file"
    STARTED_TASKS = "started_tasks", "Change to a booking whose tasks have started"
    MISSING_FROM_FEED = "missing_from_feed", "No longer in the platform's calendar"


class ConflictState(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class ConflictResolution(models.TextChoices):
    KEEP_EXISTING = "keep_existing", "Keep existing"
    TAKE_INCOMING = "take_incoming", "Take incoming"
    CANCEL_ONE = "cancel_one", "Cancel one"
    ACCEPT = "accept", "Accept as is"


class BookingConflictQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=ConflictState.OPEN)

    def for_list_view(self):
        """With both bookings, their properties, the batch and who resolved it; and whether each booking came from
        a calendar feed (`booking_from_feed`, `other_from_feed`), so the page names where each came from."""
        from_feed = CalendarFeedStay.objects.filter(booking=models.OuterRef("booking"))
        other_from_feed = CalendarFeedStay.objects.filter(booking=models.OuterRef("other_booking"))
        return self.select_related("booking__property", "other_booking__property", "batch", "resolved_by").annotate(
            booking_from_feed=models.Exists(from_feed), other_from_feed=models.Exists(other_from_feed)
        )

    def involving(self, booking: "Booking"):
        """Conflicts where the booking is either side."""
        return self.filter(Q(booking=booking) | Q(other_booking=booking))

    def open_first(self):
        """Open conflicts before resolved ones, newest first within each."""
        resolved_last = models.Case(
            models.When(state=ConflictState.OPEN, then=models.Value(0)),
            default=models.Value(1),
            output_field=models.IntegerField(),
        )
        return self.annotate(resolved_last=resolved_last).order_by("resolved_last", "-created_at", "-id")


class BookingConflict(models.Model):
    kind = models.CharField(max_length=24, choices=ConflictKind.choices)
    booking = models.ForeignKey(Booking, null=True, blank=True, on_delete=models.CASCADE, related_name="conflicts")
    other_booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.CASCADE, related_name="conflicts_as_other"
    )
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="conflicts")
    incoming = models.JSONField(default=dict, blank=True, help_text="The change that could not be applied.")
    message = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=16, choices=ConflictState.choices, default=ConflictState.OPEN)
    resolution = models.CharField(max_length=16, choices=ConflictResolution.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # What the resolution changed, so it can be undone exactly: {"summary", "choice", "booking_id" (the conflict's
    # booking before), "bookings": [{"id", "created", "before", "after"}]}. Empty while open, and for conflicts
    # resolved before undo existed (those cannot be reopened).
    resolution_changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BookingConflictQuerySet.as_manager()

    # Set by for_list_view(); declared for mypy, ignored by Django.
    booking_from_feed: bool
    other_from_feed: bool

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "kind"], name="conflict_state_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message}"

    def get_absolute_url(self) -> str:
        return reverse("bookings:conflict_detail", args=[self.pk])


# --- Calendar feeds (issue 10): the platforms' iCal exports, pulled by the worker ---


class FeedSource(models.TextChoices):
    AIRBNB = "airbnb", "Airbnb"
    VRBO = "vrbo", "Vrbo"
    BOOKINGCOM = "bookingcom", "Booking.com"
    OTHER = "other", "Other"


class FeedState(models.TextChoices):
    NEW = "new", "Not synced yet"
    OK = "ok", "OK"
    FAILING = "failing", "Failing"
    REVIEW = "review", "Needs review"
    PAUSED = "paused", "Paused"


class CalendarFeedQuerySet(models.QuerySet):
    def for_list_view(self):
        return (
            self.select_related("property").filter(property__deleted_at__isnull=True).order_by("property__name", "id")
        )

    def for_property(self, prop: "Property"):
        return self.filter(property=prop).order_by("id")

    def due(self, now: datetime.datetime):
        """Active feeds of live properties whose last attempt is older than the sync interval (or never)."""
        cutoff = now - datetime.timedelta(minutes=settings.CALENDAR_SYNC_MINUTES)
        return self.filter(active=True, property__deleted_at__isnull=True).filter(
            Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=cutoff)
        )


class CalendarFeed(models.Model):
    """One platform calendar (iCal export link) of one property. The URL is a secret: shown masked, never logged."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="calendar_feeds")
    url = models.CharField(max_length=2000, help_text="The platform's iCal export link.")
    source = models.CharField(max_length=16, choices=FeedSource.choices)
    active = models.BooleanField(default=True, help_text="Untick to pause syncing.")
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, help_text="Why the last sync failed, for people.")
    failing_since = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_event_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="Events in the last good sync: the base for the drop check."
    )
    last_counts = models.JSONField(default=dict, blank=True)
    # A calendar held back for the manager (empty, or far fewer events than last time): applied or ignored by hand.
    review_reason = models.CharField(max_length=300, blank=True)
    review_since = models.DateTimeField(null=True, blank=True)
    review_body = models.TextField(blank=True, editable=False)
    etag = models.CharField(max_length=200, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    # Held by the sync running now, so that two workers never sync one feed at once; expires if a worker dies.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["property__name", "id"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} calendar of {self.property}"

    def get_absolute_url(self) -> str:
        return reverse("bookings:calendar_feed_edit", args=[self.pk])

    def masked_url(self) -> str:
        """Enough to tell two links apart, never enough to use one: scheme, host and the last four characters."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.url)
        tail = self.url[-4:] if len(self.url) > 24 else ""
        return f"{parts.scheme}://{parts.hostname or '?'}/…{tail}"

    def state(self) -> str:
        if not self.active:
            return FeedState.PAUSED
        if self.review_reason:
            return FeedState.REVIEW
        if self.failing_since is not None:
            return FeedState.FAILING
        if self.last_success_at is not None:
            return FeedState.OK
        return FeedState.NEW


class CalendarFeedStay(models.Model):
    """A booking a feed carries, by the event's UID, and how many good syncs in a row it has been missing from."""

    feed = models.ForeignKey(CalendarFeed, on_delete=models.CASCADE, related_name="stays")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="calendar_links")
    uid = models.CharField(max_length=255)
    missing_syncs = models.PositiveSmallIntegerField(default=0)
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "booking"], name="calendar_stay_unique")]
        indexes = [models.Index(fields=["feed", "uid"], name="calendar_stay_uid_idx")]

    def __str__(self) -> str:
        return f"{self.uid} → booking #{self.booking_id}"
