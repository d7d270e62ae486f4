"""Finnish (Kotimaisten kielten keskus): 29.1.2021, 29. tammikuuta 2021, klo 19.07."""

DATE_FORMAT = "j. E Y"
SHORT_DATE_FORMAT = "j.n.Y"
DATETIME_FORMAT = r"j. E Y \k\l\o G.i"
SHORT_DATETIME_FORMAT = r"j.n.Y \k\l\o G.i"
TIME_FORMAT = "G.i"
MONTH_DAY_FORMAT = "j. E"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # a no-break space: 7 000
NUMBER_GROUPING = 3
