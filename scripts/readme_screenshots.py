"""The README's screenshots, taken from the app as `make run` serves it with the demo data.

Usage: .venv/bin/python scripts/readme_screenshots.py [--out docs/screenshots]
Starts gunicorn on a throwaway copy of the demo data, signs in as the demo manager in headless Chromium at
1440×900 and as cleaner1 on a 360×740 phone, and writes one PNG per page. An import preview needs a file: the
script uploads an Airbnb export whose listings partly match no property, as a first real import does.
"""

import argparse
import datetime
import sys
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.served_app import CHROMIUM, CHROMIUM_FLAGS, served_demo  # noqa: E402 - needs the project on sys.path


def test_files():
    """The test suite's export writers (they import Django, so it is set up first, in this process only)."""
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    django.setup()
    from tests import import_files

    return import_files


DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 360, "height": 740}
MANAGER_PAGES = {
    "today": "/",
    "bookings": "/bookings/",
    "board": "/board/",
    "gantt": "/gantt/",
    "audit": "/audit/",
}
UNKNOWN_LISTINGS = {"City Loft": 6, "Harbour View Apartment": 3}
AHEAD_DAYS = 300  # past the demo's bookings, so the known listing's stays are new
KNOWN_LISTING = "Cosy Alfama loft with river view"  # an alias of the demo's Alfama Loft


def airbnb_export() -> bytes:
    """An Airbnb export of stays months ahead: a few at a known listing, more at listings no property has yet."""
    files = test_files()
    first = datetime.date.today() + datetime.timedelta(days=AHEAD_DAYS)
    rows, number = [], 0
    for listing, count in {KNOWN_LISTING: 4, **UNKNOWN_LISTINGS}.items():
        for _ in range(count):
            check_in = first + datetime.timedelta(days=3 * number)
            rows.append(
                files.airbnb_row(
                    f"HMSHOT{number:04d}",
                    guest=f"Guest {number}",
                    listing=listing,
                    check_in=check_in,
                    check_out=check_in + datetime.timedelta(days=2),
                )
            )
            number += 1
    return files.csv_bytes(files.AIRBNB_HEADERS, rows)


def sign_in(browser, base: str, username: str, viewport: dict):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    if "/accounts/login/" in page.url:
        raise SystemExit(f"signing in as {username}/demo failed")
    return page


def take(base: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as scratch:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        page = sign_in(browser, base, "manager", DESKTOP)
        for name, path in MANAGER_PAGES.items():
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / f"{name}.png"))
            print(f"{name:16} {path}")
        upload = Path(scratch) / "airbnb-export.csv"
        upload.write_bytes(airbnb_export())
        page.goto(f"{base}/bookings/import/")
        page.set_input_files("input[type=file]", str(upload))
        page.get_by_role("button", name="Upload and preview").click()
        page.wait_for_url("**/bookings/import/*/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / "import-preview.png"))
        print(f"{'import-preview':16} {page.url.removeprefix(base)}")
        page.context.close()

        page = sign_in(browser, base, "cleaner1", PHONE)
        page.goto(f"{base}/my/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / "field-app.png"))
        print(f"{'field-app':16} /my/ (phone)")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "screenshots")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    with served_demo(args.port) as base:
        take(base, args.out)


if __name__ == "__main__":
    main()
