"""MEDIA_STORAGE=s3: photos and import files in S3-compatible object storage (moto's server on loopback), private,
and still reaching only the users allowed to see their task."""

import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from django.core.files.storage import default_storage
from django.urls import reverse

from tests.factories import make_cleaning_task
from tests.photo_files import jpeg_bytes, upload
from wbs.models import TaskPhoto

pytestmark = pytest.mark.django_db
MOTO_SERVER = Path(sys.executable).parent / "moto_server"
START_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    server = subprocess.Popen(
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("moto_server did not start")
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def bucket(settings, s3_endpoint):
    name = f"stayops-{uuid.uuid4().hex[:12]}"
    credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
    client = boto3.client("s3", endpoint_url=s3_endpoint, **credentials)
    client.create_bucket(Bucket=name)
    settings.STORAGES = settings.STORAGES | {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        }
    }
    return client, name


def test_a_photo_is_stored_in_the_bucket_and_streamed_to_its_cleaner_only(
    bucket, cleaner, cleaner_client, other_cleaner, client
):
    s3, name = bucket
    task = make_cleaning_task(assignee=cleaner)
    response = cleaner_client.post(reverse("wbs:my_photo_upload", args=[task.pk]), {"photo": upload(jpeg_bytes())})
    assert response.status_code in {200, 302}

    photo = TaskPhoto.objects.get(task=task)
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=name)["Contents"]}
    assert photo.image.name in keys and photo.thumbnail.name in keys
    assert type(default_storage._wrapped).__name__ == "S3Storage"

    response = cleaner_client.get(reverse("wbs:photo", args=[photo.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"

    client.force_login(other_cleaner)
    assert client.get(reverse("wbs:photo", args=[photo.pk])).status_code == 404


def test_objects_are_private_in_the_bucket(bucket, cleaner, cleaner_client, s3_endpoint):
    s3, name = bucket
    task = make_cleaning_task(assignee=cleaner)
    cleaner_client.post(reverse("wbs:my_photo_upload", args=[task.pk]), {"photo": upload(jpeg_bytes())})
    key = TaskPhoto.objects.get(task=task).image.name

    grants = s3.get_object_acl(Bucket=name, Key=key)["Grants"]
    assert all("AllUsers" not in str(grant.get("Grantee", {})) for grant in grants)
    anonymous = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="",
        aws_secret_access_key="",
        config=__import__("botocore.config").config.Config(signature_version=__import__("botocore").UNSIGNED),
    )
    with pytest.raises(ClientError):
        anonymous.get_object(Bucket=name, Key=key)


def test_a_photo_whose_object_is_gone_is_a_404(bucket, cleaner, cleaner_client):
    s3, name = bucket
    task = make_cleaning_task(assignee=cleaner)
    cleaner_client.post(reverse("wbs:my_photo_upload", args=[task.pk]), {"photo": upload(jpeg_bytes())})
    photo = TaskPhoto.objects.get(task=task)
    s3.delete_object(Bucket=name, Key=photo.image.name)
    assert cleaner_client.get(reverse("wbs:photo", args=[photo.pk])).status_code == 404


def test_an_import_file_is_kept_in_the_bucket_and_read_back_from_it(bucket, manager):
    from bookings.models import Booking
    from tests.factories import make_loft
    from tests.import_files import airbnb_row, airbnb_xlsx, preview_and_apply

    s3, name = bucket
    make_loft()
    batch = preview_and_apply(airbnb_xlsx([airbnb_row()]), "airbnb.xlsx", manager)

    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=name)["Contents"]}
    assert batch.file.name in keys
    assert Booking.objects.count() == 1
