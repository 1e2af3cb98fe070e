"""Task photos: verified with Pillow, size and pixel limits, metadata stripped, thumbnail, private storage."""

import io
import logging
import threading
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core import audit
from core.audit_context import acting_user
from core.errors import InvalidInput, Unavailable
from core.models import AuditAction
from wbs.models import ChecklistItem, Task, TaskPhoto, TaskStatus
from wbs.services.field import checklist_item_set

logger = logging.getLogger(__name__)

CLOSED = (TaskStatus.DONE, TaskStatus.CANCELLED)
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}
JPEG_QUALITY = 85


@dataclass(frozen=True)
class PreparedPhoto:
    """A checked photo, re-encoded: nothing of the uploaded file's bytes or metadata survives."""

    image: bytes
    thumbnail: bytes
    width: int
    height: int


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB"


# Decoding is the expensive, memory-hungry step: a process decodes this many photos at once, and a request that
# cannot start within PHOTO_DECODE_WAIT_SECONDS is told to try again instead of tying up the app server.
_decoding = threading.BoundedSemaphore(settings.PHOTO_DECODE_CONCURRENCY)
# Lower JPEG qualities tried, in turn, when a photo's encoding is larger than PHOTO_MAX_STORED_BYTES.
FALLBACK_QUALITIES = (70, 55, 40)


def prepare_photo(upload) -> PreparedPhoto:
    """Check an uploaded file and re-encode it. Raises InvalidInput with what to fix; writes nothing."""
    if upload is None or not upload.size:
        raise InvalidInput(_("Choose a photo to upload."))
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise InvalidInput(
            _("The photo is %(size)s; the limit is %(limit)s. Take it at a lower resolution and try again.")
            % {"size": _megabytes(upload.size), "limit": _megabytes(settings.PHOTO_MAX_BYTES)}
        )
    if not _decoding.acquire(timeout=settings.PHOTO_DECODE_WAIT_SECONDS):
        raise Unavailable(_("Many photos are being processed right now. Try again in a minute."))
    try:
        picture = _decode(upload)
        image = _jpeg_within_limit(picture)
        thumbnail = picture.copy()
        thumbnail.thumbnail((settings.PHOTO_THUMBNAIL_PX, settings.PHOTO_THUMBNAIL_PX))
        return PreparedPhoto(image=image, thumbnail=_jpeg(thumbnail), width=picture.width, height=picture.height)
    finally:
        _decoding.release()


def _decode(upload) -> Image.Image:
    """The photo as RGB pixels no larger than PHOTO_MAX_SIDE_PX, refused by its pixel count before decoding."""
    upload.seek(0)
    try:
        # Opening reads only the header, so the pixel limit is checked before anything is decoded. Pillow's
        # own bomb warning is silenced here because PHOTO_MAX_PIXELS, checked next, is the stricter rule.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            probe = Image.open(upload)
        with probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise InvalidInput(
                    _("%(format)s images are not accepted; upload a JPEG, PNG or WebP photo.")
                    % {"format": probe.format}
                )
            width, height = probe.size
            if width * height > settings.PHOTO_MAX_PIXELS:
                raise InvalidInput(
                    _(
                        "The image is %(width)s×%(height)s pixels; the limit is %(limit)s pixels. "
                        "Take it at a lower resolution."
                    )
                    % {
                        "width": width,
                        "height": height,
                        "limit": number_format(settings.PHOTO_MAX_PIXELS, force_grouping=True),
                    }
                )
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as source:
            longest = settings.PHOTO_MAX_SIDE_PX
            # JPEG decodes at 1/2, 1/4 or 1/8 scale when asked: a large photo never exists in memory at full size.
            source.draft("RGB", (longest, longest))
            source.load()
            # The camera's orientation tag is applied to the pixels, because all metadata is dropped below.
            picture = ImageOps.exif_transpose(source).convert("RGB")
    except InvalidInput:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        logger.info("photo refused: %s", error)
        raise InvalidInput(_("That file is not a photo we can read. Upload a JPEG, PNG or WebP image.")) from error
    picture.thumbnail((settings.PHOTO_MAX_SIDE_PX, settings.PHOTO_MAX_SIDE_PX))
    return picture


def _jpeg_within_limit(picture: Image.Image) -> bytes:
    """The stored JPEG, at lower quality when noise-like content would make it larger than the limit."""
    encoded = _jpeg(picture)
    for quality in FALLBACK_QUALITIES:
        if len(encoded) <= settings.PHOTO_MAX_STORED_BYTES:
            return encoded
        encoded = _jpeg(picture, quality=quality)
    if len(encoded) > settings.PHOTO_MAX_STORED_BYTES:
        raise InvalidInput(_("This image cannot be stored at a reasonable size. Upload an ordinary photo."))
    return encoded


def _jpeg(picture: Image.Image, *, quality: int = JPEG_QUALITY) -> bytes:
    # Saved without exif=/icc_profile=: GPS position, camera serial and every other tag are left out.
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


@acting_user
def photo_add(*, task: Task, prepared: PreparedPhoto, user, checklist_item: ChecklistItem | None = None) -> TaskPhoto:
    if checklist_item is not None and checklist_item.task_id != task.pk:
        raise InvalidInput(_("That checklist item belongs to another task."))
    with transaction.atomic():
        photo = TaskPhoto(
            task=task,
            checklist_item=checklist_item,
            width=prepared.width,
            height=prepared.height,
            size_bytes=len(prepared.image),
            uploaded_by=user if user.is_authenticated else None,
        )
        photo.image.save("photo.jpg", ContentFile(prepared.image), save=False)
        photo.thumbnail.save("thumb.jpg", ContentFile(prepared.thumbnail), save=False)
        try:
            photo.save()
        except Exception:
            # The row was refused: its files must not stay behind on disk.
            photo.image.delete(save=False)
            photo.thumbnail.delete(save=False)
            raise
        label = f" for “{checklist_item.text}”" if checklist_item else ""
        audit.record(task, AuditAction.UPDATE, {"photos": [None, photo.pk]}, message=f"Photo added{label}")
        if checklist_item is not None and not checklist_item.done and task.status not in CLOSED:
            # The photo is the proof the item was done: one tap instead of two.
            checklist_item_set(item=checklist_item, done=True, user=user)
    return photo
