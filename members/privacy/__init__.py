"""Personal data rights (GDPR): export (Art. 15/20) and erasure (Art. 17).

Both walk the models through Django's model meta rather than a hand-kept list: every foreign key
to the person and every e-mail field is found, so a model added later is exported and erased
without touching this package (and ``tests/privacy`` fails if a new one is not covered).
"""
