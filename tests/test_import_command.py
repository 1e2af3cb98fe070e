"""`manage.py import_bookings`: summary line, one line per problem, exit codes, dry run, audit source."""

import datetime

import pytest
from django.core.management import call_command

from bookings.models import Booking, ImportBatch
from core.models import AuditEntry
from tests.import_files import AIRBNB_HEADERS, airbnb_row, airbnb_xlsx, csv_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loft")]


def run(*args) -> tuple[int, str, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import_bookings", *args, stdout=out, stderr=err)
    return exited.value.code, out.getvalue(), err.getvalue()


def write(tmp_path, name, content) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_it_imports_every_row_and_exits_0(tmp_path, manager):
    path = write(tmp_path, "r.xlsx", airbnb_xlsx([airbnb_row()]))
    code, out, _ = run(path, "--user", "manager")
    assert code == 0
    assert out.splitlines() == ["created=1 updated=0 unchanged=0 cancelled=0 conflicts=0 errors=0"]
    entry = AuditEntry.objects.get(action="create")
    assert (entry.source, entry.actor_id, entry.batch_id) == ("cli", manager.pk, ImportBatch.objects.get().pk)
    code, out, _ = run(path)
    assert code == 0 and out.startswith("created=0 updated=0 unchanged=1")


def test_rejected_rows_exit_3_with_a_line_each_and_the_rest_applied(tmp_path):
    rows = [airbnb_row(), airbnb_row("HM2", check_in="02/30/2026", check_out="03/02/2026")]
    code, out, _ = run(write(tmp_path, "r.csv", csv_bytes(AIRBNB_HEADERS, rows)))
    lines = out.splitlines()
    assert code == 3
    assert lines[0] == "created=1 updated=0 unchanged=0 cancelled=0 conflicts=0 errors=1"
    assert lines[1].startswith("row 3, column Start date, value '02/30/2026': is not a real date")
    assert Booking.objects.count() == 1


def test_a_rejected_file_exits_1_and_writes_nothing(tmp_path):
    code, out, err = run(write(tmp_path, "old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100))
    assert code == 1 and "save it as .xlsx or .csv" in err
    assert out.startswith("created=0") and Booking.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_dry_run_writes_no_booking(tmp_path):
    code, out, err = run(write(tmp_path, "r.xlsx", airbnb_xlsx([airbnb_row()])), "--dry-run", "--source", "airbnb")
    assert code == 0 and out.startswith("created=1") and "nothing was written" in err
    assert Booking.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_conflicts_are_listed(tmp_path):
    rows = [airbnb_row(), airbnb_row("HM2", check_in=datetime.date(2026, 3, 15), check_out=datetime.date(2026, 3, 18))]
    code, out, _ = run(write(tmp_path, "r.xlsx", airbnb_xlsx(rows)))
    assert code == 0 and "conflicts=1" in out.splitlines()[0]
    assert out.splitlines()[1].startswith("row 3: conflict (overlap):")


def test_an_unknown_user_or_missing_file_is_an_error(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No user named"):
        call_command("import_bookings", write(tmp_path, "r.xlsx", airbnb_xlsx([airbnb_row()])), "--user", "nobody")
    with pytest.raises(CommandError, match="No file at"):
        call_command("import_bookings", str(tmp_path / "missing.xlsx"))
