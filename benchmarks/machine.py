"""The machine a benchmark runs on: its load average, and one core kept busy meanwhile (`--busy-core`)."""

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def start_busy_core() -> subprocess.Popen:
    """One process spinning on a core until stopped: the measurements are taken beside other work."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


@contextlib.contextmanager
def busy_core(enabled: bool) -> Iterator[None]:
    """A core kept busy for the block when `enabled`. A plain kill of the benchmark ends the block through its
    finally, so the spinning process never outlives the run."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    busy = start_busy_core() if enabled else None
    try:
        yield
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
