"""A job for the worker tests: the first run marks a file and sleeps (to be killed); a rerun finds the mark."""

import time
from pathlib import Path

from core.jobs import recorded_job


@recorded_job(rerun_if_lost=True)
def mark_then_sleep(marker: str, seconds: float) -> str:
    path = Path(marker)
    if path.exists():
        path.write_text("rerun")
        return "rerun"
    path.write_text("started")
    time.sleep(seconds)
    return "slept"
