"""The throwaway infrastructure a benchmark runs on: databases, Django commands, server processes.

Every benchmark gets a database of its own — a SQLite file under ``bench-results/tmp`` or a
PostgreSQL database ``bench_<name>`` on 127.0.0.1:5432 (user ``postgres``) when one answers — and
talks to Django only through subprocesses with ``DATABASE_URL`` set, exactly as production would.
All traffic stays on loopback.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


class SkipBenchmark(Exception):
    """A benchmark (or one of its columns) cannot run here: a dependency is missing. Not a crash."""


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raise_open_file_limit(wanted: int = 8192) -> int:
    """Let one process hold a thousand sockets (plus the server's side of each on loopback)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, wanted), hard) if hard != resource.RLIM_INFINITY else max(soft, wanted)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@dataclass
class Context:
    """What every benchmark is handed: mode, output folder, which services answer."""

    mode: str  # "quick" | "full"
    out_dir: Path
    postgres: bool
    redis: bool
    versions: dict[str, Any] = field(default_factory=dict)
    #: The live search engine (``SEARCH_BENCH_URL``, default the node of ``scripts/services.sh``)
    #: and its name (``opensearch``/``elasticsearch``); empty when none answers.
    engine_url: str = ""
    engine: str = ""

    @property
    def quick(self) -> bool:
        return self.mode == "quick"

    @property
    def tmp(self) -> Path:
        path = self.out_dir / "tmp"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def backends(self) -> list[str]:
        return ["sqlite", "postgresql"] if self.postgres else ["sqlite"]

    @property
    def redis_url(self) -> str:
        """``REDIS_URL`` when set (several people benchmarking on one Redis keep to their own
        database), else database 7 of the local Redis."""
        return os.environ.get("REDIS_URL") or f"redis://{REDIS_HOST}:{REDIS_PORT}/7"


def detect(mode: str, out_dir: Path) -> Context:
    """Which of PostgreSQL and Redis answer on loopback, with their versions for the JSON."""
    versions: dict[str, Any] = {}
    postgres = False
    if port_open(PG_HOST, PG_PORT):
        try:
            import psycopg

            with psycopg.connect(
                host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=3
            ) as conn:
                versions["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
            postgres = True
        except Exception as exc:  # unreachable or refused: the column is skipped with a note
            versions["postgresql"] = f"unavailable: {exc.__class__.__name__}"
    redis = False
    if port_open(REDIS_HOST, REDIS_PORT):
        try:
            import redis as redis_lib

            client = redis_lib.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_timeout=3)
            versions["redis"] = client.info("server").get("redis_version")
            redis = True
        except Exception as exc:
            versions["redis"] = f"unavailable: {exc.__class__.__name__}"
    engine_url = os.environ.get("SEARCH_BENCH_URL", "http://127.0.0.1:9200")
    engine = ""
    try:
        from network.search.backends.transport import detect_engine, transport_for

        engine = detect_engine(engine_url, timeout=3)
        info = transport_for(engine, engine_url).info()
        versions["search_engine"] = f"{engine} {info.get('version', {}).get('number', '?')}"
    except Exception as exc:  # no engine: its column is skipped with a note
        versions["search_engine"] = f"unavailable at {engine_url}: {exc.__class__.__name__}"
    return Context(
        mode=mode,
        out_dir=out_dir,
        postgres=postgres,
        redis=redis,
        versions=versions,
        engine_url=engine_url if engine else "",
        engine=engine,
    )


@dataclass
class Database:
    """A throwaway database for one benchmark run; ``url`` goes into ``DATABASE_URL``."""

    kind: str  # "sqlite" | "postgresql"
    name: str
    url: str
    path: Path | None = None

    def drop(self) -> None:
        if self.kind == "sqlite" and self.path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
        elif self.kind == "postgresql":
            _pg_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True, connect_timeout=5
    ) as conn:
        conn.execute(sql)


def create_database(ctx: Context, kind: str, name: str) -> Database:
    """A fresh, empty database (an old one of the same name is dropped first).

    ``BENCH_DB_TAG`` prefixes the name (``bench_<tag><name>``), so several people benchmarking on one
    PostgreSQL server never drop each other's databases."""
    name = os.environ.get("BENCH_DB_TAG", "") + name
    safe = "".join(ch if ch.isalnum() else "_" for ch in name).lower()
    if kind == "sqlite":
        path = ctx.tmp / f"bench_{safe}.sqlite3"
        db = Database(kind="sqlite", name=safe, url=f"sqlite:///{path}", path=path)
        db.drop()
        return db
    if kind == "postgresql":
        if not ctx.postgres:
            raise SkipBenchmark("PostgreSQL is not reachable on 127.0.0.1:5432")
        db_name = f"bench_{safe}"
        db = Database(
            kind="postgresql", name=db_name, url=f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{db_name}"
        )
        db.drop()
        _pg_admin(f'CREATE DATABASE "{db_name}"')
        return db
    raise ValueError(kind)


#: The first database of each kind this run migrated, kept as the template of the next ones.
_templates: dict[str, Database] = {}


def migrate(ctx: Context, db: Database) -> float:
    """Bring a fresh database (from :func:`create_database`) to the current schema; returns seconds.

    Seven benchmark databases a run each ran every migration (15 to 40 s apiece on a loaded 2-core
    machine, minutes of a quick run); now the first of each kind is migrated into a template and
    the others are copies of it — SQLite through the backup API, PostgreSQL by ``CREATE DATABASE
    … TEMPLATE`` — the same schema and rows (content types, permissions) a migrate leaves. The
    templates are dropped when the run ends."""
    started = time.perf_counter()
    template = _templates.get(db.kind)
    if template is None:
        template = create_database(ctx, db.kind, "template")
        manage(template, "migrate", "--noinput")  # prints its time; the copies take well under 1 s
        _templates[db.kind] = template
        atexit.register(template.drop)
    if db.kind == "sqlite":
        import sqlite3

        assert template.path is not None and db.path is not None
        db.drop()
        with (
            contextlib.closing(sqlite3.connect(template.path)) as source,
            contextlib.closing(sqlite3.connect(db.path)) as target,
        ):
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
    else:
        db.drop()
        _pg_admin(f'CREATE DATABASE "{db.name}" TEMPLATE "{template.name}"')
    return time.perf_counter() - started


def django_env(db: Database, *, redis_url: str = "", **extra: str) -> dict[str, str]:
    """Environment of a Django subprocess: the bench settings, this database, this channel layer."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=db.url,
        REDIS_URL=redis_url,
        ELASTICSEARCH_URL="",
        OPENSEARCH_URL="",
        SEARCH_URL="",
        LOG_LEVEL="WARNING",
        # The servers of the benchmarks measure no search (the search benchmark runs in-process):
        # without the start-up warm-up each skips loading every language's analysers, 3.6 CPU
        # seconds that competed with the connect storms (eleven server starts a quick run); what a
        # post's index update needs loads on first use (the fan-out's untimed warm-up post).
        SEARCH_WARM_UP="false",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class CommandFailed(RuntimeError):
    pass


def manage(
    db: Database,
    *args: str,
    timeout: float = 1800,
    redis_url: str = "",
    extra_env: dict[str, str] | None = None,
) -> tuple[str, float]:
    """Run ``manage.py <args>`` against ``db``; returns (stdout, seconds). Raises on failure."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=django_env(db, redis_url=redis_url, **(extra_env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise CommandFailed(f"manage.py {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    _phase(f"manage.py {args[0]} ({db.kind})", elapsed)
    return proc.stdout, elapsed


def worker(
    db: Database,
    module: str,
    payload: dict[str, Any],
    *,
    timeout: float = 1800,
    redis_url: str = "",
    extra_env: dict[str, str] | None = None,
) -> Any:
    """Run ``python -m bench.workers.<module>`` with Django set up on ``db``; JSON in, JSON out.

    The worker reads its arguments as JSON on stdin and prints its answer as the last stdout line.
    """
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", f"bench.workers.{module}"],
        cwd=ROOT,
        env=django_env(db, redis_url=redis_url, **(extra_env or {})),
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        if "SkipBenchmark:" in proc.stderr:
            reason = proc.stderr.rsplit("SkipBenchmark:", 1)[1].strip().splitlines()[0]
            raise SkipBenchmark(reason)
        raise CommandFailed(f"bench.workers.{module} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    _phase(f"{module} ({db.kind})", time.perf_counter() - started)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    return json.loads(lines[-1])


def _phase(what: str, seconds: float) -> None:
    """Print how long a set-up or measurement step took, so a run shows where its minutes go."""
    print(f"   · {what}: {seconds:.1f} s", flush=True)


def rss_kib(pid: int, *, children: bool = True) -> int:
    """Resident memory of a process and its children (uvicorn workers), in KiB, from /proc.
    ``children=False`` for the bench process itself: its children are the servers it measures."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        if children:
            pids += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for each in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


def cpu_seconds(pid: int, *, children: bool = True) -> float:
    """CPU time (user + system) used so far by a process and its children, from /proc.
    ``children=False`` for the bench process itself: its children are the servers it measures (a
    one-worker server is its direct child) and py-spy."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    with contextlib.suppress(OSError):
        if children:
            pids += [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for each in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def load_average() -> list[float]:
    """The machine's 1/5/15-minute load: other work on the box skews every figure, so it is recorded."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return []


class Server:
    """A real ASGI server subprocess (uvicorn) on a free loopback port; stopped by its own pid."""

    def __init__(
        self,
        app: str,
        env: dict[str, str],
        *,
        workers: int = 1,
        log_path: Path | None = None,
        ready_path: str = "/healthz",
    ) -> None:
        self.app = app
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.log_path = log_path
        self.ready_path = ready_path
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Server:
        cmd = [
            sys.executable, "-m", "uvicorn", self.app,
            "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", str(self.workers),
            "--no-access-log", "--log-level", "warning",
            "--ws", "websockets-sansio", "--backlog", "4096",
        ]  # fmt: skip
        log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise CommandFailed(
                    f"server {self.app} exited with {self.proc.returncode}; see {self.log_path}"
                )
            if port_open("127.0.0.1", self.port) and self._ready():
                return self
            time.sleep(0.2)
        self.stop()
        raise CommandFailed(f"server {self.app} did not become ready in {timeout}s")

    def _ready(self) -> bool:
        import urllib.request

        try:
            with urllib.request.urlopen(self.base + self.ready_path, timeout=5) as response:
                return response.status < 500
        except Exception:
            return False

    def rss_kib(self) -> int:
        return rss_kib(self.proc.pid) if self.proc else 0

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc.pid) if self.proc else 0.0

    def wait_idle(self, *, busy_below: float = 0.15, window_s: float = 1.0, timeout_s: float = 120) -> float:
        """Block until the server used under ``busy_below`` of a core over ``window_s``; returns
        the seconds waited (so a connection storm's backlog does not leak into the next phase)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            before = self.cpu_seconds()
            time.sleep(window_s)
            if (self.cpu_seconds() - before) / window_s < busy_below:
                break
        return time.monotonic() - started

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def database(ctx: Context, kind: str, name: str, *, keep: bool = False) -> Iterator[Database]:
    """A throwaway database, migrated, dropped afterwards (unless ``keep``)."""
    db = create_database(ctx, kind, name)
    try:
        migrate(ctx, db)
        yield db
    finally:
        if not keep:
            db.drop()
