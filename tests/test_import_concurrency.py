"""Two imports of the same file at once on PostgreSQL: no duplicate booking, no error escaping."""

import datetime
import threading

import pytest
from django.db import connection

from bookings.importing import import_file
from bookings.models import Booking, ImportBatch, ImportState
from tests.factories import make_loft
from tests.import_files import airbnb_row, airbnb_xlsx


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_once_leave_no_duplicate(tmp_path, manager):
    make_loft()
    path = tmp_path / "r.xlsx"
    stays = [
        (datetime.date(2026, 5, 1) + datetime.timedelta(days=i), datetime.date(2026, 5, 2) + datetime.timedelta(days=i))
        for i in range(20)
    ]
    rows = [airbnb_row()] + [
        airbnb_row(f"HMX{i:04d}", check_in=start, check_out=end) for i, (start, end) in enumerate(stays)
    ]
    path.write_bytes(airbnb_xlsx(rows))
    barrier = threading.Barrier(2)
    outcomes: list = []

    def run():
        try:
            barrier.wait()
            outcomes.append(import_file(path=path, user=manager))
        except Exception as exc:  # noqa: BLE001 - the test reports any escaping error below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(isinstance(outcome, ImportBatch) for outcome in outcomes), outcomes
    assert Booking.objects.count() == 21
    assert sorted(batch.state for batch in ImportBatch.objects.all()) == [ImportState.APPLIED, ImportState.APPLIED]
    created = sorted(ImportBatch.objects.values_list("counts__created", flat=True))
    assert created == [0, 21]
