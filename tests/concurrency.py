"""Running work at the same moment from several threads, as several app servers would, for PostgreSQL tests."""

import threading

from django.db import connections

JOIN_SECONDS = 120


def run_at_once(works) -> list[BaseException]:
    """Each callable in its own thread and its own connection, released together by a barrier; the errors raised."""
    barrier = threading.Barrier(len(works))
    errors: list[BaseException] = []

    def worker(work) -> None:
        try:
            barrier.wait()
            work()
        except BaseException as error:  # noqa: BLE001 - collected and asserted on by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)
    return errors
