# English for a European operation: 24-hour clock and day before month, as the app always showed them.
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "D d M"
SHORT_DATETIME_FORMAT = "D d M, H:i"
