"""Bytes over the wire and load time of the cleaners' /my/ on a slow 3G line, first visit and repeat visit.

Usage: .venv/bin/python benchmarks/bench_field_weight.py [--latency 400] [--kbps 400] [--port 0]
Serves the app as `make run` does (gunicorn via scripts/web.sh, DEBUG off, a generated secret key) from a
throwaway SQLite data directory with the demo data, signs in as cleaner1 in headless Chromium, then loads /my/
with an empty cache (first visit) and again (repeat visit). Bytes are the sum of CDP Network.loadingFinished
encodedDataLength for the page's requests, plus the body and header sizes Playwright reports for the service
worker's own network fetches during the visit; the time runs from navigation to the load event.
Exits 1 when the first visit is over 30 KB or the repeat visit over 8 KB (the budgets of issue 12).
"""

import argparse
import os
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.served_app import CHROMIUM, CHROMIUM_FLAGS, served_demo  # noqa: E402 - needs the project on sys.path

FIRST_BUDGET = 30 * 1024
REPEAT_BUDGET = 8 * 1024


def measure(page, cdp, url: str) -> dict:
    """Bytes, seconds and requests of one navigation to `url`: the page's from CDP events, plus what the
    service worker fetched from the network meanwhile (Playwright's sizes of its requests)."""
    sizes: dict[str, float] = {}
    sources: dict[str, str] = {}
    worker_requests = []

    def worker_finished(request):
        if request.service_worker is not None:
            worker_requests.append(request)

    def received(event):
        response = event["response"]
        origin = "service worker" if response.get("fromServiceWorker") else "network"
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            origin = "disk cache"
        sources[event["requestId"]] = f"{response['status']} {origin:14} {response['url']}"

    def served_from_cache(event):
        sources[event["requestId"]] = f"memory cache   {event['requestId']}"

    def finished(event):
        sizes[event["requestId"]] = event["encodedDataLength"]

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.requestServedFromCache", served_from_cache)
    cdp.on("Network.loadingFinished", finished)
    page.context.on("requestfinished", worker_finished)
    started = time.perf_counter()
    page.goto(url, wait_until="load")
    elapsed = time.perf_counter() - started
    page.wait_for_timeout(500)  # late loadingFinished events of requests that ended with the load event
    for event, handler in (
        ("Network.responseReceived", received),
        ("Network.requestServedFromCache", served_from_cache),
        ("Network.loadingFinished", finished),
    ):
        cdp.remove_listener(event, handler)
    page.context.remove_listener("requestfinished", worker_finished)
    # The worker's fetches of other pages are its offline copies of the coming tasks: real bytes on the line,
    # but not what the cleaner waits for, so they are counted apart from the page.
    background: dict[str, float] = {}
    for number, request in enumerate(worker_requests):
        measured = request.sizes()
        key = f"worker-{number}"
        own = request.url == url or "/static/" in request.url or request.url.endswith("/sw.js")
        (sizes if own else background)[key] = measured["responseBodySize"] + measured["responseHeadersSize"]
        sources[key] = f"sw {'fetch' if own else 'prefetch':11} {request.url}"
    lines = [f"{int(size):7d} B  {sources.get(key, key)}" for key, size in {**sizes, **background}.items()]
    return {
        "bytes": int(sum(sizes.values())),
        "seconds": elapsed,
        "requests": len(sizes),
        "background": int(sum(background.values())),
        "background_requests": len(background),
        "lines": lines,
    }


def run(base: str, latency: int, kbps: int) -> dict:
    from playwright.sync_api import sync_playwright

    # Lets Playwright report the service worker's own requests (Chromium only), which CDP on the page misses.
    os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        signing_in = browser.new_context()
        page = signing_in.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", "cleaner1")
        page.fill("input[name=password]", "demo")
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        if "/accounts/login/" in page.url:
            raise SystemExit("signing in as cleaner1/demo failed")
        cookies = signing_in.cookies()
        signing_in.close()

        # A first visit: a fresh profile (empty cache, no service worker) that carries only the session cookie.
        context = browser.new_context(viewport={"width": 360, "height": 740})
        context.add_cookies(cookies)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        throughput = kbps * 1000 / 8  # bytes per second
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": latency, "downloadThroughput": throughput, "uploadThroughput": throughput},
        )
        first = measure(page, cdp, f"{base}/my/")
        # Time for the service worker to install and fill its cache, as it would while the cleaner reads the page.
        page.wait_for_timeout(5000)
        repeat = measure(page, cdp, f"{base}/my/")
        browser.close()
    return {"first": first, "repeat": repeat}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=int, default=400, help="round-trip latency in ms (default 400)")
    parser.add_argument("--kbps", type=int, default=400, help="throughput in kbit/s each way (default 400)")
    parser.add_argument("--port", type=int, default=0, help="port for gunicorn (default: a free one)")
    parser.add_argument("--verbose", action="store_true", help="list each request with its bytes and source")
    args = parser.parse_args()
    with served_demo(args.port) as base:
        figures = run(base, args.latency, args.kbps)

    print(f"/my/ as cleaner1 on {args.latency} ms, {args.kbps} kbit/s (Chromium, 360x740):")
    failed = False
    for name, budget in (("first", FIRST_BUDGET), ("repeat", REPEAT_BUDGET)):
        size, seconds, requests = (figures[name][key] for key in ("bytes", "seconds", "requests"))
        over = size > budget
        failed |= over
        verdict = "OVER" if over else "ok"
        print(
            f"  {name:6} visit: {size / 1024:6.1f} KB in {requests:2} requests, load {seconds:5.2f} s"
            f"  (budget {budget // 1024} KB: {verdict});"
            f" offline prefetch {figures[name]['background'] / 1024:.1f} KB in {figures[name]['background_requests']}"
        )
        if args.verbose:
            print("\n".join(f"      {line}" for line in figures[name]["lines"]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
