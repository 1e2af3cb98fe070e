"""Bulk work by the ten thousand rows without Python's cycle collector walking them again and again."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector while rows are parsed, planned and written by the ten thousand.

    Those are long-lived tuples and rows without reference cycles, freed by reference counting; the collector
    would only walk them again and again as they pile up (about a tenth of a big import's time). Nested pauses
    leave it as the outermost found it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
