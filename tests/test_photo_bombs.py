"""Photos cannot exhaust the server: refused by pixel count before decoding, decoded downscaled, stored small,
and decoded a bounded number at a time."""

import io
import os
import time

import pytest
from PIL import Image

from core.errors import InvalidInput, Unavailable
from tests.photo_files import bomb_png_bytes, jpeg_bytes, upload
from wbs.services import photos
from wbs.services.photos import prepare_photo


def test_it_refuses_the_probes_6300_pixel_square_png_before_decoding_it():
    content = bomb_png_bytes(side=6300)
    assert len(content) < 200_000
    started = time.monotonic()
    with pytest.raises(InvalidInput, match="6300×6300 pixels"):
        prepare_photo(upload(content, "bomb.png", "image/png"))
    assert time.monotonic() - started < 1


def test_it_stores_a_large_photo_no_longer_than_the_longest_side_setting(settings):
    settings.PHOTO_MAX_SIDE_PX = 1024
    prepared = prepare_photo(upload(jpeg_bytes(size=(4000, 3000))))
    assert (prepared.width, prepared.height) == (1024, 768)
    assert Image.open(io.BytesIO(prepared.image)).size == (1024, 768)


def test_noise_that_would_encode_huge_is_stored_at_a_lower_quality_within_the_byte_limit(settings):
    settings.PHOTO_MAX_SIDE_PX = 1024
    noise = Image.frombytes("RGB", (1024, 1024), os.urandom(1024 * 1024 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    at_full_quality = len(photos._jpeg(noise))
    settings.PHOTO_MAX_STORED_BYTES = at_full_quality // 2

    prepared = prepare_photo(upload(buffer.getvalue(), "noise.png", "image/png"))
    assert len(prepared.image) <= settings.PHOTO_MAX_STORED_BYTES


def test_it_refuses_an_image_that_cannot_be_stored_small_enough(settings):
    noise = Image.frombytes("RGB", (512, 512), os.urandom(512 * 512 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, format="PNG")
    settings.PHOTO_MAX_STORED_BYTES = 10_000
    with pytest.raises(InvalidInput, match="reasonable size"):
        prepare_photo(upload(buffer.getvalue(), "noise.png", "image/png"))


def test_a_photo_waits_for_its_turn_and_is_told_to_retry_when_the_decoder_stays_busy(settings):
    settings.PHOTO_DECODE_WAIT_SECONDS = 0.1
    held = []
    while photos._decoding.acquire(blocking=False):
        held.append(True)
    try:
        with pytest.raises(Unavailable, match="Try again"):
            prepare_photo(upload(jpeg_bytes()))
    finally:
        for _ in held:
            photos._decoding.release()
    assert prepare_photo(upload(jpeg_bytes())).width == 64
