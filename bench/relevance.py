"""``python -m bench.relevance``: relevance of the analysis chain, per language and backend.

Indexes the fixed corpus of :mod:`bench.relevance_corpus` into a throwaway SQLite database (and a
``bench_relevance`` PostgreSQL database when PostgreSQL answers on 127.0.0.1:5432), runs every
labelled query anonymously through :func:`network.search.search` (all documents are public) and
prints recall@10, nDCG@10 and MRR per language and backend for:

* ``chain``    — the analysis chain (lemmas, compounds, detection, forgiving queries, suggestions);
* ``snowball`` — the plain-Snowball baseline: stems only, undeclared content analysed as English,
  every word required, no suggestion (what the network ran before);
* the same two on the search engine (``opensearch chain``/``snowball``, or Elasticsearch), when one
  answers (``--engine URL``, default the development node on 127.0.0.1:9200), run from the SQLite
  worker on a throwaway index;
* ``pg-builtin`` — PostgreSQL's own text search configurations over the raw text
  (``to_tsvector(config, text) @@ websearch_to_tsquery(config, q)`` in every language, ranked
  with ``ts_rank_cd``; undeclared documents as ``simple``).

Negative queries (which must find nothing) are reported apart as the share answered with nothing.
Then the memory each analyser adds to a fresh process, and indexing throughput (documents/s of
``backend.index`` over 2,000 synthetic documents) with the chain and with the baseline.
Never fails on a number; it prints what it measured.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: BENCH_DB_TAG keeps concurrent runs (several engineers on one PostgreSQL) apart.
PG_DATABASE = f"bench_{os.environ.get('BENCH_DB_TAG', '')}relevance"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"
K = 10


# --- worker: runs inside a Django process with DATABASE_URL set ----------------------------------


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@contextmanager
def snowball_baseline():
    """Swap the chain for plain Snowball everywhere it is called (the pre-chain behaviour)."""
    from network.search import analysis, forgiving, spec, suggest
    from network.search.backends import base, engine, postgres, sqlite
    from network.search.text import LANGUAGES, UNDETERMINED, stem, stem_variants

    def word(w: str, language: str) -> analysis.WordTerms:
        if language not in LANGUAGES:
            return analysis.WordTerms(analysis.term(UNDETERMINED, w))
        return analysis.WordTerms(analysis.term(language, stem(w, language)))

    def alternatives(w: str, language: str) -> tuple[str, ...]:
        if language not in LANGUAGES:
            return (analysis.term(UNDETERMINED, w),)
        return tuple(analysis.term(language, v) for v in stem_variants(w, language))

    patches = [
        (analysis, "analyse_word", word),
        (analysis, "query_alternatives", alternatives),
        (sqlite, "analyse_word", word),
        (sqlite, "query_alternatives", alternatives),
        (postgres, "analyse_word", word),
        (postgres, "query_alternatives", alternatives),
        (base, "analyse_word", word),
        (base, "query_alternatives", alternatives),
        (engine, "analyse_word", word),
        (engine, "query_alternatives", alternatives),
        (spec, "detect", lambda text, prior="und": "en"),
        (forgiving, "RELAX_BELOW", 0),
        (suggest, "suggest", lambda *args, **kwargs: ""),
    ]
    saved = [(module, name, getattr(module, name)) for module, name, _ in patches]
    try:
        for module, name, value in patches:
            setattr(module, name, value)
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def _documents():
    from django.contrib.contenttypes.models import ContentType

    from knowledge.models import Lesson
    from network.search.spec import SearchIndex
    from network.search.text import UNDETERMINED

    content_type = ContentType.objects.get_for_model(Lesson)
    index = SearchIndex(model="knowledge.Lesson", type="lesson", type_label="Lesson", title="title")
    from bench.relevance_corpus import DOCUMENTS

    docs, ids = [], {}
    for n, (key, (declared, title, text)) in enumerate(sorted(DOCUMENTS.items()), start=1):
        ids[n] = key
        index.language = declared  # None: detected (the chain) or English (the baseline)
        docs.append(_build(index, n, title, text, content_type.pk, declared or UNDETERMINED))
    return docs, ids


def _build(index, pk, title, text, content_type_id, declared):
    from network.search.spec import IndexedDocument

    language, fields = index._languages(None, title, text, "", None)
    return IndexedDocument(
        type="lesson",
        content_type_id=content_type_id,
        object_id=pk,
        title=title,
        summary=text,
        language=language,
        field_languages=fields,
        is_public=True,
        visibility="public",
        facets={"type": [("lesson", "")], "language": [(language, "")]},
    )


def _metrics(found: list[str], relevant: set[str]) -> tuple[float, float, float]:
    top = found[:K]
    recall = len(set(top) & relevant) / len(relevant)
    dcg = sum(1 / math.log2(i + 2) for i, key in enumerate(top) if key in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), K)))
    rr = next((1 / (i + 1) for i, key in enumerate(top) if key in relevant), 0.0)
    return recall, dcg / ideal, rr


def _evaluate(run_query) -> dict:
    from bench.relevance_corpus import QUERIES

    table = {}
    for language, queries in QUERIES.items():
        scores, negatives_clean, negatives = [], 0, 0
        for text, _kind, relevant in queries:
            found = run_query(text)
            if not relevant:
                negatives += 1
                negatives_clean += not found
            else:
                scores.append(_metrics(found, relevant))
        n = len(scores)
        table[language] = {
            "recall@10": sum(s[0] for s in scores) / n,
            "ndcg@10": sum(s[1] for s in scores) / n,
            "mrr": sum(s[2] for s in scores) / n,
            "negatives_clean": f"{negatives_clean}/{negatives}",
            "queries": n + negatives,
        }
    return table


def _run_chain(backend, baseline: bool) -> dict:
    from network.search import SearchQuery, registry, search

    docs, ids = _documents_with(baseline)
    backend.clear()
    backend.index(docs)
    from network.search.vocabulary import record_vocabulary

    record_vocabulary(docs)
    backend.analyze()
    registry.get_backend.cache_clear()
    original = registry.get_backend
    registry.get_backend = lambda: backend
    try:

        def run(text: str) -> list[str]:
            results = search(None, SearchQuery(text, page_size=K))
            return [ids[h.id] for h in results.hits]

        with snowball_baseline() if baseline else ExitStack():
            return _evaluate(run)
    finally:
        registry.get_backend = original


def _documents_with(baseline: bool):
    with snowball_baseline() if baseline else ExitStack():
        return _documents()


def _run_pg_builtin() -> dict:
    from django.db import connection

    from bench.relevance_corpus import DOCUMENTS
    from network.search.text import LANGUAGES

    configs = {code: cfg for code, (_algo, cfg) in LANGUAGES.items()}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_builtin")
        cursor.execute("CREATE TABLE bench_builtin (key text, config regconfig, body text)")
        cursor.executemany(
            "INSERT INTO bench_builtin VALUES (%s, %s::regconfig, %s)",
            [(k, configs.get(lang or "", "simple"), f"{t} {x}") for k, (lang, t, x) in DOCUMENTS.items()],
        )
        cursor.execute(
            "ALTER TABLE bench_builtin ADD COLUMN v tsvector GENERATED ALWAYS AS (to_tsvector(config, body)) STORED"
        )

    def run(text: str) -> list[str]:
        cases = " ".join(
            f"WHEN '{cfg}' THEN websearch_to_tsquery('{cfg}', %s)" for cfg in [*configs.values(), "simple"]
        )
        q = f"CASE config::text {cases} END"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT key FROM bench_builtin WHERE v @@ ({q}) ORDER BY ts_rank_cd(v, {q}) DESC LIMIT %s",  # noqa: S608 - our SQL
                [text] * (len(configs) + 1) * 2 + [K],
            )
            return [row[0] for row in cursor.fetchall()]

    return _evaluate(run)


def _throughput(backend, baseline: bool, n: int = 2000) -> float:
    import random

    from network.demo_scale import VOCABULARY
    from network.search import analysis, compounds, lemmas

    docs, _ids = _documents_with(baseline)
    template = docs[0]
    rng = random.Random(14)
    made = []
    languages = list(VOCABULARY)
    for i in range(n):
        language = languages[i % len(languages)]
        subjects, qualities, sentences = VOCABULARY[language]
        title = f"{rng.choice(qualities)} {rng.choice(subjects)} {i}"
        body = " ".join(rng.sample(sentences, 2))
        made.append(
            type(template)(
                **{
                    **template.__dict__,
                    "object_id": 10_000 + i,
                    "title": title,
                    "summary": body,
                    "language": language,
                    "field_languages": {},
                }
            )
        )
    for cached in (
        analysis.analyse_word,
        analysis.query_alternatives,
        analysis.fold,
        lemmas.lemma,
        lemmas.finnish_analyses,
        compounds.split,
    ):
        cached.cache_clear()
    with snowball_baseline() if baseline else ExitStack():
        started = time.perf_counter()
        for start in range(0, n, 500):
            backend.index(made[start : start + 500])
        return n / (time.perf_counter() - started)


def worker() -> None:
    _setup_django()
    from django.db import connection

    from network.search.analysis import warm_up
    from network.search.registry import database_backend

    warm_up()
    backend = database_backend()
    name = "sqlite" if connection.vendor == "sqlite" else "postgresql"
    out = {
        f"{name} chain": _run_chain(backend, baseline=False),
        f"{name} snowball": _run_chain(backend, baseline=True),
    }
    if connection.vendor == "postgresql":
        out["pg-builtin"] = _run_pg_builtin()
    throughput = {
        f"{name} chain": _throughput(backend, baseline=False),
        f"{name} snowball": _throughput(backend, baseline=True),
    }
    engine_url = os.environ.get("BENCH_ENGINE_URL")
    if engine_url:
        _run_engine(engine_url, out, throughput)
    print(json.dumps({"relevance": out, "throughput": throughput}))


def _run_engine(url: str, out: dict, throughput: dict) -> None:
    """The same runs on the search engine, on a throwaway index prefix (dropped afterwards). The
    engine's suggestions draw on this process's database vocabulary, as in production."""
    import uuid

    from network.search.backends.engine import EngineBackend

    backend = EngineBackend(url, f"bench-relevance-{uuid.uuid4().hex[:8]}", timeout=60)
    try:
        name = backend.transport.engine
        out[f"{name} chain"] = _run_chain(backend, baseline=False)
        out[f"{name} snowball"] = _run_chain(backend, baseline=True)
        throughput[f"{name} chain"] = _throughput(backend, baseline=False)
        throughput[f"{name} snowball"] = _throughput(backend, baseline=True)
    finally:
        backend.drop()


# --- memory per analyser, each in a fresh process ---------------------------------------------------

MEMORY_PROBES = {
    "Voikko (fi)": "from network.search import lemmas; lemmas.finnish_analyses('tietokoneet')",
    **{
        f"simplemma {lang}": f"from network.search import lemmas; lemmas.lemma('testing', '{lang}')"
        for lang in ("en", "sv", "de", "fr", "nl", "es", "it", "fi")
    },
    **{
        f"Hunspell compounds {lang}": f"from network.search import compounds; compounds.available('{lang}')"
        for lang in ("sv", "de", "nl")
    },
    "lingua (8 languages, low accuracy)": "from network.search import languages; languages.detect('kannettava tietokone')",
    "whole chain, all languages": "from network.search import analysis; analysis.warm_up()",
}


def memory() -> dict[str, float]:
    code = (
        "import os, json, sys\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tests.settings')\n"
        "def rss():\n"
        "    return int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) / 1024\n"
        "import network.search.analysis\n"
        "before = rss()\n"
        "exec(sys.argv[1])\n"
        "print(json.dumps(rss() - before))\n"
    )
    found = {}
    for name, probe in MEMORY_PROBES.items():
        result = subprocess.run(
            [sys.executable, "-c", code, probe], capture_output=True, text=True, cwd=ROOT, check=False
        )
        try:
            found[name] = float(result.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            found[name] = float("nan")
    return found


# --- driver -------------------------------------------------------------------------------------------


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(
            "postgres://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
        return True
    except Exception:
        return False


def _drop_pg() -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')


def _engine_url(wanted: str) -> str:
    """The engine to measure beside the databases: ``--engine URL``, else the development node when
    it answers; ``""`` (left out, with a note) otherwise."""
    if wanted == "none":
        return ""
    url = wanted or os.environ.get("SEARCH_BENCH_URL", "http://127.0.0.1:9200")
    try:
        from network.search.backends.transport import detect_engine

        detect_engine(url, timeout=5.0)
    except Exception:
        print(f"(no search engine answers at {url}: its columns are left out)")
        return ""
    return url


def _run_worker(database_url: str, engine_url: str = "") -> dict:
    env = {
        k: v for k, v in os.environ.items() if k not in ("SEARCH_URL", "OPENSEARCH_URL", "ELASTICSEARCH_URL")
    }
    env["DATABASE_URL"] = database_url
    if engine_url:
        env["BENCH_ENGINE_URL"] = engine_url
    result = subprocess.run(
        [sys.executable, "-m", "bench.relevance", "--worker"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    if result.returncode:
        print(result.stderr[-3000:], file=sys.stderr)
        return {}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-memory", action="store_true", help="skip the per-analyser memory probes")
    parser.add_argument(
        "--engine",
        default="",
        help="search engine URL to measure too (default: SEARCH_BENCH_URL or http://127.0.0.1:9200 "
        "when it answers; 'none' leaves it out)",
    )
    args = parser.parse_args(argv)
    if args.worker:
        worker()
        return
    results: dict = {"relevance": {}, "throughput": {}}
    with tempfile.TemporaryDirectory() as tmp:
        found = _run_worker(f"sqlite:///{tmp}/relevance.sqlite3", _engine_url(args.engine))
        for key in results:
            results[key].update(found.get(key, {}))
    if _pg_available():
        try:
            found = _run_worker(PG_URL)
            for key in results:
                results[key].update(found.get(key, {}))
        finally:
            _drop_pg()
    else:
        print("(PostgreSQL does not answer on 127.0.0.1:5432: its columns are left out)")
    print_tables(results, None if args.no_memory else memory())


def print_tables(results: dict, memory_mb: dict | None) -> None:
    from bench.relevance_corpus import QUERIES

    runs = list(results["relevance"])
    print("\nrecall@10 / nDCG@10 / MRR per language (negatives: queries answered with nothing)\n")
    print("| language | " + " | ".join(runs) + " |")
    print("| --- |" + " --- |" * len(runs))
    for language in QUERIES:
        cells = []
        for run in runs:
            m = results["relevance"][run][language]
            cells.append(
                f"{m['recall@10']:.2f} / {m['ndcg@10']:.2f} / {m['mrr']:.2f} ({m['negatives_clean']})"
            )
        print(f"| {language} | " + " | ".join(cells) + " |")
    print("\nindexing throughput (documents/s, 2,000 synthetic documents, cold analysis caches)\n")
    for run, rate in results["throughput"].items():
        print(f"| {run} | {rate:,.0f} docs/s |")
    if memory_mb:
        print("\nmemory each analyser adds to a fresh process (MiB of resident memory)\n")
        for name, mb in memory_mb.items():
            print(f"| {name} | {mb:.0f} MiB |")


if __name__ == "__main__":
    main()
