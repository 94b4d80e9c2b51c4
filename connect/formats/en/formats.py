"""English dates as Connect writes them: one style on every page (day, month, year, 24-hour
clock), so a page mixing the long and the short form never reads 24 Nov in one place and 11/24
in another."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
