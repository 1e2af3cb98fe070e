"""Inserting many rows at once: PostgreSQL's COPY where the database is PostgreSQL, bulk_create elsewhere.

Django's bulk_create on PostgreSQL sends each column as one array literal, which psycopg escapes value by value
in Python; for the JSON-heavy rows an import writes (its per-row results, its audit entries) that costs several
times more than the database's own work. COPY streams the same rows in PostgreSQL's text format, formatted by
psycopg's C extension.
"""

import time
from collections.abc import Iterable
from itertools import islice

from django.db import connections, models, router

DEFAULT_BATCH_SIZE = 1000


def insert_many(
    model: type[models.Model], objs: Iterable[models.Model], *, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Insert unsaved instances without reading back their primary keys; returns how many were written.

    `objs` may be a generator: it is consumed batch by batch, so a 100,000-row import never holds all its
    instances at once. Field defaults and auto_now_add apply as with save(); no signals are sent (as with
    bulk_create). A unique violation raises django.db.IntegrityError on both databases.
    """
    connection = connections[router.db_for_write(model)]
    objs = iter(objs)
    written = 0
    if connection.vendor != "postgresql":
        while batch := list(islice(objs, batch_size)):
            model._default_manager.bulk_create(batch)
            written += len(batch)
        return written
    fields = [
        field
        for field in model._meta.local_concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField | models.BigAutoField))
        and not getattr(field, "generated", False)
    ]
    quote = connection.ops.quote_name
    statement = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(field.column) for field in fields)
    )
    started = time.monotonic()
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        for obj in objs:
            copy.write_row([field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields])
            written += 1
    if connection.queries_logged:
        # COPY bypasses the cursor wrapper that logs statements; logging it keeps query-count tests honest.
        connection.queries_log.append({"sql": statement, "time": f"{time.monotonic() - started:.3f}"})
    return written
