# English for a European operation: 24-hour clock and day before month, as the app always showed them.
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "D d M"
SHORT_DATETIME_FORMAT = "D d M, H:i"
# With the year, for history and the audit trail, where entries span years: "30 Nov 2026, 14:30".
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
