"""Our overrides of Django's locale formats (FORMAT_MODULE_PATH); names not set here fall back to Django's.

Templates ask for formats by name, never by pattern, so each language writes dates its own way:
TIME_FORMAT for clock times, MONTH_DAY_FORMAT for the short day label of the field app (weekday, day and
month), SHORT_DATETIME_FORMAT for that label with a time; DATE_FORMAT and DATETIME_FORMAT with the year, for
histories and the audit trail.
"""
