"""Date, time and number formats as natives of each interface language write them.

``FORMAT_MODULE_PATH`` points here; a name a module leaves out falls back to Django's own locale
formats. Templates use the format names (``|date:"DATE_FORMAT"``, ``"SHORT_DATE_FORMAT"``,
``"DATETIME_FORMAT"``, ``"SHORT_DATETIME_FORMAT"``, ``"TIME_FORMAT"``), never a fixed pattern, and
figures go through ``intcomma`` (grouped with the locale's separator: 7,000 · 7 000 · 7 000).

    en  29 January 2021 · 29 Jan 2021 · 29 January 2021, 19:07
    fi  29. tammikuuta 2021 · 29.1.2021 · 29. tammikuuta 2021 klo 19.07
    sv  29 januari 2021 · 2021-01-29 · 29 januari 2021 kl. 19.07
"""
