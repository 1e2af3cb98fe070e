# Spanish: "lun 3 dic", "lun 3 dic, 14:30".
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "D j M"
SHORT_DATETIME_FORMAT = "D j M, H:i"
