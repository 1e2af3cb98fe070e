# Spanish: "lun 3 dic", "lun 3 dic, 14:30".
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "D j M"
SHORT_DATETIME_FORMAT = "D j M, H:i"
# With the year, for history and the audit trail, where entries span years: "30 nov 2026, 14:30".
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
