"""Django-side halves of the benchmarks: run as ``python -m bench.workers.<name>`` in a subprocess
with ``DATABASE_URL`` set (see :func:`bench.env.worker`); JSON arguments on stdin, JSON answer as
the last line of stdout."""
