"""Task photos: only real images within the limits, metadata stripped, thumbnails, streamed after an access check."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from tests.factories import make_cleaning_task
from tests.photo_files import bomb_png_bytes, jpeg_bytes, upload
from wbs.models import TaskPhoto

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(cleaner):
    return make_cleaning_task(assignee=cleaner)


def post_photo(client, task, content, **extra):
    return client.post(reverse("wbs:my_photo_upload", args=[task.pk]), {"photo": upload(content, **extra)})


def test_it_refuses_a_text_file_named_jpg_and_stores_nothing(cleaner_client, task):
    response = post_photo(cleaner_client, task, b"just some text, not a photo\n" * 10)

    assert response.status_code == 400
    assert "not a photo we can read" in response.content.decode()
    assert TaskPhoto.objects.count() == 0


def test_it_refuses_a_file_over_the_size_limit(cleaner_client, task, settings):
    settings.PHOTO_MAX_BYTES = 1024
    response = post_photo(cleaner_client, task, jpeg_bytes(size=(400, 400), color=(10, 10, 10)) + b"\0" * 2048)

    assert response.status_code == 400
    assert "the limit is 0 MB" in response.content.decode() or "limit" in response.content.decode()
    assert TaskPhoto.objects.count() == 0


def test_it_refuses_an_image_over_the_pixel_limit(cleaner_client, task, settings):
    settings.PHOTO_MAX_PIXELS = 10_000
    response = post_photo(cleaner_client, task, jpeg_bytes(size=(200, 100)))

    assert response.status_code == 400
    assert "200×100 pixels" in response.content.decode()
    assert TaskPhoto.objects.count() == 0


def test_it_refuses_a_decompression_bomb_before_decoding_it(cleaner_client, task):
    bomb = bomb_png_bytes()
    assert len(bomb) < 100_000

    response = post_photo(cleaner_client, task, bomb, name="bomb.png", content_type="image/png")

    assert response.status_code == 400
    assert "12000×12000 pixels" in response.content.decode()
    assert TaskPhoto.objects.count() == 0


def test_it_strips_gps_and_every_other_exif_tag_and_makes_a_thumbnail(cleaner_client, task, settings):
    settings.PHOTO_THUMBNAIL_PX = 32
    original = jpeg_bytes(size=(640, 480), with_gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)

    response = post_photo(cleaner_client, task, original)

    assert response.status_code == 302
    photo = TaskPhoto.objects.get()
    with photo.image.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        assert image.size == (640, 480)
        assert not image.getexif()
        assert "exif" not in image.info
    with photo.thumbnail.open("rb") as stored:
        assert max(Image.open(io.BytesIO(stored.read())).size) == 32
    assert photo.uploaded_by == task.assignee


def test_it_stores_photos_under_random_names_that_no_url_serves(cleaner_client, task):
    post_photo(cleaner_client, task, jpeg_bytes(), name="guest-anna-bedroom.jpg")
    photo = TaskPhoto.objects.get()
    assert "anna" not in photo.image.name
    assert cleaner_client.get("/" + photo.image.name).status_code == 404
    assert cleaner_client.get("/media/" + photo.image.name).status_code == 404


def test_it_streams_a_photo_to_its_cleaner_and_to_managers(cleaner_client, client, task, manager):
    post_photo(cleaner_client, task, jpeg_bytes())
    photo = TaskPhoto.objects.get()

    response = cleaner_client.get(reverse("wbs:photo", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=86400"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"

    client.force_login(manager)
    assert client.get(reverse("wbs:photo_thumbnail", args=[photo.pk])).status_code == 200


def test_it_answers_404_for_another_cleaners_photo(cleaner_client, client, task, other_cleaner):
    post_photo(cleaner_client, task, jpeg_bytes())
    photo = TaskPhoto.objects.get()
    client.force_login(other_cleaner)

    assert client.get(reverse("wbs:photo", args=[photo.pk])).status_code == 404
    assert client.get(reverse("wbs:photo_thumbnail", args=[photo.pk])).status_code == 404


def test_it_shows_the_error_in_place_for_htmx(cleaner_client, task, htmx_headers):
    item = task.checklist.get(requires_photo=True)
    response = cleaner_client.post(
        reverse("wbs:my_photo_upload", args=[task.pk]),
        {"photo": upload(b"not an image"), "checklist_item": item.pk},
        headers=htmx_headers,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="task-work"')
    assert "not a photo we can read" in html
