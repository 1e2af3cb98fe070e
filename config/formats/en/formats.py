# English for a European operation: 24-hour clock and day before month, as the app always showed them.
# Templates name these formats (|date:"MONTH_DAY_FORMAT"), never a pattern: each language keeps its own here,
# and pt/ and es/ define every name this file does (a name missing there would be printed as it stands).
TIME_FORMAT = "H:i"
SECONDS_TIME_FORMAT = "H:i:s"
MONTH_DAY_FORMAT = "D j M"  # Mon 3 Dec
SHORT_DATETIME_FORMAT = "D j M, H:i"  # Mon 3 Dec, 14:30
DAY_MONTH_FORMAT = "j M"  # 3 Dec
DAY_MONTH_YEAR_FORMAT = "j M Y"  # 3 Dec 2026
WEEKDAY_DATE_FORMAT = "D j M Y"  # Mon 3 Dec 2026
WEEKDAY_DAY_FORMAT = "D j"  # Mon 3 (the Gantt's day scale)
WEEKDAY_FORMAT = "l"  # Monday
LONG_DAY_FORMAT = "l j F"  # Monday 3 December
LONG_DATE_FORMAT = "l j F Y"  # Monday 3 December 2026
YEAR_MONTH_FORMAT = "F Y"  # December 2026
STAMP_FORMAT = "j M Y, H:i"  # 3 Dec 2026, 14:30: when something happened
ZONED_STAMP_FORMAT = "j M Y, H:i:s T"  # 3 Dec 2026, 14:30:05 WET: in emails, read far from the server
DAY_FORMAT = "j"  # 3: a day in a calendar grid
SHORT_WEEKDAY_FORMAT = "D"  # Mon (a calendar grid's column head)
SHORT_MONTH_FORMAT = "M"  # Dec
# With the year, for history and the audit trail, where entries span years: "30 Nov 2026, 14:30".
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
