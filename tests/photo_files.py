"""Image files for photo tests, made in memory: a plain JPEG, one with GPS in its EXIF, a decompression bomb."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825


def jpeg_bytes(size=(64, 48), color=(30, 120, 200), with_gps: bool = False) -> bytes:
    picture = Image.new("RGB", size, color)
    buffer = io.BytesIO()
    if with_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (38.0, 42.0, 0.0), 3: "W", 4: (9.0, 8.0, 0.0)})
        picture.save(buffer, format="JPEG", exif=exif)
    else:
        picture.save(buffer, format="JPEG")
    return buffer.getvalue()


def bomb_png_bytes(side: int = 12_000) -> bytes:
    """A tiny file that would decode to side² pixels: a 1-bit PNG compresses a blank canvas to almost nothing."""
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
