"""Swedish (Språkrådet): 29 januari 2021, 2021-01-29, kl. 19.07."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = r"j F Y \k\l. H.i"
SHORT_DATETIME_FORMAT = r"Y-m-d \k\l. H.i"
TIME_FORMAT = "H.i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # a no-break space: 7 000
NUMBER_GROUPING = 3
