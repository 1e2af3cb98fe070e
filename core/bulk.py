"""Inserting many rows at once: PostgreSQL's COPY where the database is PostgreSQL, bulk_create elsewhere.

Django's bulk_create on PostgreSQL sends each column as one array literal, which psycopg escapes value by value
in Python; for the JSON-heavy rows an import writes (its per-row results, its audit entries) that costs several
times more than the database's own work. COPY streams the same rows in PostgreSQL's text format, formatted by
psycopg's C extension.
"""

import datetime
import functools
import json
import operator
import time
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import TypeVar

from django.db import connections, models, router, transaction
from django.utils import timezone

_M = TypeVar("_M", bound=models.Model)

DEFAULT_BATCH_SIZE = 1000
# A bulk write of at least this many rows refreshes the planner's statistics of the tables it filled (PostgreSQL):
# autovacuum analyses a table only once a tenth of it changed, and only at its next round.
ANALYZE_AFTER_ROWS = 5000
# Columns whose Python values psycopg writes as they are: Django's per-value preparation only checks types.
PLAIN_TYPES = {
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "FloatField",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


def insert_many(
    model: type[models.Model], objs: Iterable[models.Model], *, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Insert unsaved instances without reading back their primary keys; returns how many were written.

    `objs` may be a generator: it is consumed as it is written (on PostgreSQL while the COPY streams, so the
    generator must not query), and a 100,000-row import never holds all its instances at once. Field defaults and
    auto_now_add apply as with save(); no signals are sent (as with bulk_create). A unique violation raises
    django.db.IntegrityError on both databases.
    """
    connection = connections[router.db_for_write(model)]
    fields = _copied_fields(model)
    converters = [_converter(field, connection) for field in fields]
    rows = ([convert(obj) for convert in converters] for obj in objs)
    return _write_rows(model, fields, rows, connection, batch_size)


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> int:
    """Insert plain rows, each the values of `columns` (attnames) in order, without building model instances
    (about half the cost of writing ten thousand narrow rows); returns how many were written.

    Every other column takes its field's default, computed once for the call (auto_now and auto_now_add take the
    time of the call). Values are Python values as a model would hold them. Otherwise as insert_many.
    """
    connection = connections[router.db_for_write(model)]
    fields, prepared = _prepared_rows(model, columns, rows, connection)
    return _write_rows(model, fields, prepared, connection, batch_size)


def _prepared_rows(model, columns: Sequence[str], rows: Iterable[Sequence], connection) -> tuple[list, Iterable]:
    """The fields written (`columns`, then every other copied column) and the rows as database values, lazily."""
    fields = _copied_fields(model)
    by_attname = {field.attname: field for field in fields}
    given = [by_attname[name] for name in columns]
    others = [field for field in fields if field.attname not in set(columns)]
    now = timezone.now()
    constants = []
    for field in others:
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        default = now if auto else field.get_default()
        convert = _value_converter(field, connection)
        constants.append(default if convert is None or default is None else convert(default))
    converters = [_value_converter(field, connection) for field in given]
    if not any(converters):
        prepared: Iterable = ([*row, *constants] for row in rows)
    else:
        steps = list(enumerate(converters))
        prepared = (_converted(row, steps, constants) for row in rows)
    return given + others, prepared


def _converted(row: Sequence, steps: list, constants: list) -> list:
    values = list(row)
    for index, convert in steps:
        if convert is not None and values[index] is not None:
            values[index] = convert(values[index])
    values.extend(constants)
    return values


def _write_rows(model, fields, rows: Iterable[list], connection, batch_size: int) -> int:
    """Prepared rows (database values in the order of `fields`): one COPY on PostgreSQL, else one prepared INSERT
    run for every row of a batch (the driver's executemany, in C). bulk_create would compile a multi-row statement
    in Python under SQLite's 999-parameter limit, value by value, which cost more than the database's work for a
    turnover sync's tens of thousands of checklist items and audit entries.

    The COPY takes each row as it is prepared: the server stores rows while Python prepares the next ones, on
    the machine's other core (a first import's writes took 0.3 s less than with the rows of each batch prepared
    before its COPY). So nothing that prepares a row may query: the connection is busy streaming."""
    rows = iter(rows)
    written = 0
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    if connection.vendor != "postgresql":
        statement = "INSERT INTO {} ({}) VALUES ({})".format(table, columns, ", ".join(["%s"] * len(fields)))
        with connection.cursor() as cursor:
            while batch := list(islice(rows, batch_size)):
                cursor.executemany(statement, batch)
                written += len(batch)
        return written
    statement = f"COPY {table} ({columns}) FROM STDIN"
    started = time.monotonic()
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    _log(connection, statement, started)
    return written


def _log(connection, statement: str, started: float) -> None:
    """COPY bypasses the cursor wrapper that logs statements; logging it keeps query-count tests honest."""
    if connection.queries_logged:
        connection.queries_log.append({"sql": statement, "time": f"{time.monotonic() - started:.3f}"})


def _copied_fields(model: type[models.Model]) -> list[models.Field]:
    """Every stored column but an automatic primary key (the sequence fills it) and generated columns."""
    return [
        field
        for field in model._meta.local_concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField | models.BigAutoField))
        and not getattr(field, "generated", False)
    ]


def _converter(field: models.Field, connection):
    """How one column's value is taken from an instance: a plain attribute read where Django's preparation
    would change nothing (most of the cost of COPYing ten thousand rows otherwise), else Django's own path."""

    def prepare(obj):
        value = field.pre_save(obj, True)
        # NULL needs no preparation (most of a new task's datetimes are empty); Django's fields all give None back.
        return None if value is None else field.get_db_prep_save(value, connection)

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return prepare
    read = operator.attrgetter(field.attname)
    convert = _value_converter(field, connection)
    if convert is None:
        return read

    def converted(obj):
        value = read(obj)
        return None if value is None else convert(value)

    return converted


def _value_converter(field: models.Field, connection):
    """How a column's (non-NULL) Python value becomes its database value; None where it goes as it is."""
    if isinstance(field, models.JSONField):
        # What Django's preparation amounts to (json.dumps with the field's encoder; COPY reads jsonb from that
        # text), without its layers: an import writes five JSON columns a row.
        return functools.partial(json.dumps, cls=field.encoder)
    kind = (field.target_field if isinstance(field, models.ForeignKey) else field).get_internal_type()
    if connection.vendor != "postgresql":
        # SQLite stores dates and times as text Django formats itself; the other plain types go as they are.
        if kind in PLAIN_TYPES - {"DateField"} or kind in {"AutoField", "BigAutoField"}:
            return None
        if field.get_internal_type() == "DateField":
            return functools.partial(_sqlite_date, field, connection)
        if field.get_internal_type() == "DateTimeField":
            return functools.partial(_sqlite_datetime, field, connection)
    # Aware datetimes (USE_TZ) need no preparation either; foreign keys hold their target's plain id.
    elif kind in PLAIN_TYPES or kind in {"AutoField", "BigAutoField", "DateTimeField"}:
        return None
    return functools.partial(_prepared, field, connection)


def _prepared(field: models.Field, connection, value):
    return field.get_db_prep_save(value, connection)


# SQLite's text for a date or an aware datetime, straight from the backend: Django's own path only checks the
# type first, at several times the cost, on every row of every date column (a turnover task has three).
def _sqlite_date(field: models.Field, connection, value):
    if type(value) is datetime.date:
        return connection.ops.adapt_datefield_value(value)
    return field.get_db_prep_save(value, connection)


def _sqlite_datetime(field: models.Field, connection, value):
    # A naive datetime goes Django's way, which warns and makes it aware.
    if type(value) is datetime.datetime and value.utcoffset() is not None:
        return connection.ops.adapt_datetimefield_value(value)
    return field.get_db_prep_save(value, connection)


def insert_skipping_conflicts(model: type[_M], objs: list[_M], *, key: tuple[str, ...]) -> list[_M]:
    """Insert instances, quietly skipping any that a unique constraint refuses (a concurrent writer got there
    first); returns the instances this call inserted, with their primary keys set.

    `key` names the fields (attnames) that identify a row for the constraint, e.g. ("booking_id", "template_id").
    PostgreSQL: COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING.
    Elsewhere (SQLite 3.35+): multi-row INSERT … ON CONFLICT DO NOTHING RETURNING, in batches under the
    database's parameter limit. Either way the ids come back without a second read.
    """
    if not objs:
        return []
    connection = connections[router.db_for_write(model)]
    by_key = {tuple(getattr(obj, name) for name in key): obj for obj in objs}
    fields = _copied_fields(model)
    converters = [_converter(field, connection) for field in fields]
    found = _insert_returning(
        model, fields, [[convert(obj) for convert in converters] for obj in objs], key, connection
    )
    inserted = []
    for pk, *values in found:
        obj = by_key.get(tuple(values))
        if obj is not None and obj.pk is None:
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = connection.alias
            inserted.append(obj)
    return inserted


def insert_rows_skipping_conflicts(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence], *, key: tuple[str, ...]
) -> list[tuple]:
    """insert_skipping_conflicts for plain rows (as insert_rows takes them), without model instances: returns
    `(pk, *key values)` of each row this call inserted, in no set order; a row a unique constraint refused is
    left out. `key` names columns among `columns` whose values are plain (ids, text)."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    fields, prepared = _prepared_rows(model, columns, rows, connection)
    return _insert_returning(model, fields, list(prepared), key, connection)


def _insert_returning(model, fields, rows: list, key, connection) -> list[tuple]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING the pk and `key` of rows of database values for `fields`."""
    if connection.vendor == "postgresql":
        return _insert_returning_postgres(model, fields, rows, key, connection)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    returning = ", ".join(quote(column) for column in [model._meta.pk.column, *_columns(model, key)])
    row_placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, (connection.features.max_query_params or 999) // len(fields))
    found: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
                f"{', '.join([row_placeholder] * len(batch))} ON CONFLICT DO NOTHING RETURNING {returning}",
                [value for row in batch for value in row],
            )
            found.extend(cursor.fetchall())
    return found


def _columns(model, names) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


def _insert_returning_postgres(model, fields, rows: list, key, connection) -> list[tuple]:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    table = quote(model._meta.db_table)
    staging = quote(f"_stayops_copy_{model._meta.db_table}")
    key_columns = ", ".join(quote(column) for column in _columns(model, key))
    started = time.monotonic()
    # The staging table lives until the transaction ends (atomic here, in case the caller has none).
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor, connection.wrap_database_errors:
        raw = cursor.cursor
        raw.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP "
            f"AS SELECT {columns} FROM {table} WITH NO DATA"
        )
        raw.execute(f"TRUNCATE {staging}")
        with raw.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} "
            f"ON CONFLICT DO NOTHING RETURNING {quote(model._meta.pk.column)}, {key_columns}"
        )
        found = raw.fetchall()
    _log(connection, f"COPY {staging}; INSERT INTO {table} … ON CONFLICT DO NOTHING RETURNING …", started)
    return found


def analyze_after_commit(models_written: Iterable[type[models.Model]], *, rows: int) -> None:
    """PostgreSQL: once the current transaction commits, queue an ANALYZE of the tables of a bulk write of `rows`
    rows (the job `core.tasks.analyze_tables`).

    Ten thousand new bookings, tasks or audit entries in a table the planner last saw at a tenth of that size make
    it guess (a sequential scan where an index fits, or the reverse) until autovacuum gets there. Below
    ANALYZE_AFTER_ROWS, or on SQLite (no statistics unless asked), nothing happens. Queued after the commit, so the
    statistics see the new rows and neither the import's transaction nor its caller waits for the sampling.
    """
    written = list(models_written)
    if rows < ANALYZE_AFTER_ROWS or not written:
        return
    tables = sorted({model._meta.db_table for model in written})
    alias = router.db_for_write(written[0])
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return

    # One ANALYZE per commit for every bulk write in the transaction (an import's bookings and audit entries, then
    # the turnover tasks its receiver wrote): the first callback to run takes all the tables, the others find none.
    pending: set[str] = connection.__dict__.setdefault("_stayops_analyze_pending", set())
    pending.update(tables)

    def analyze() -> None:
        # A job (core.tasks), not here: ANALYZE samples every table named, half a second after a big import.
        from core.tasks import analyze_tables

        names = sorted(pending)
        pending.clear()
        if names:
            analyze_tables.enqueue(names)

    transaction.on_commit(analyze, using=alias)
