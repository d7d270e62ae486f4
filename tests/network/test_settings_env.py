"""Settings come from the environment, with the embedded defaults when nothing is set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'db': settings.DATABASES['default']['ENGINE'], "
    "'layer': settings.CHANNEL_LAYERS['default']['BACKEND'], 'cache': settings.CACHES['default']['BACKEND'], "
    "'search': settings.SEARCH_BACKEND, 'engine': settings.SEARCH_ENGINE, 'search_url': settings.SEARCH_URL, 'debug': settings.DEBUG, 'email': settings.EMAIL_BACKEND}))"
)


#: Variables this process may carry (CI, tests/settings.py) that must not leak into the probe.
OURS = {
    "DATABASE_URL",
    "REDIS_URL",
    "ELASTICSEARCH_URL",
    "OPENSEARCH_URL",
    "SEARCH_URL",
    "SEARCH_ENGINE",
    "EMAIL_BACKEND",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "MFA_REQUIRED_FOR_ADMINS",
}


def _settings_with(env: dict[str, str]) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in OURS}
    clean.update({"DJANGO_SETTINGS_MODULE": "network.settings", "SECRET_KEY": "x" * 60, **env})
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_embedded_defaults_are_sqlite_in_memory_layer_and_database_search():
    s = _settings_with({"DEBUG": "1"})
    assert s["db"] == "network.sqlite"  # Django's SQLite backend with PostgreSQL's integer ranges
    assert s["layer"] == "channels.layers.InMemoryChannelLayer"
    assert s["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert s["search"] == "database"
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"


def test_database_url_and_redis_url_switch_to_postgresql_and_redis():
    s = _settings_with(
        {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test", "REDIS_URL": "redis://127.0.0.1:6379/0"}
    )
    assert s["db"] == "django.db.backends.postgresql"
    assert s["layer"] == "channels_redis.core.RedisChannelLayer"
    assert s["cache"] == "network.cache.FallbackRedisCache"  # Django's RedisCache with an outage fallback
    assert s["debug"] is False


def test_engine_urls_switch_the_search_backend_and_name_the_engine():
    es = _settings_with({"ELASTICSEARCH_URL": "http://127.0.0.1:9200"})
    assert (es["search"], es["engine"], es["search_url"]) == (
        "engine",
        "elasticsearch",
        "http://127.0.0.1:9200",
    )
    os_ = _settings_with({"OPENSEARCH_URL": "http://127.0.0.1:9200"})
    assert (os_["search"], os_["engine"]) == ("engine", "opensearch")
    detected = _settings_with({"SEARCH_URL": "http://127.0.0.1:9200"})
    assert (detected["search"], detected["engine"]) == ("engine", "")  # asked GET / on first use
    named = _settings_with({"SEARCH_URL": "http://127.0.0.1:9200", "SEARCH_ENGINE": "OpenSearch"})
    assert named["engine"] == "opensearch"


def test_an_unknown_search_engine_is_refused():
    env = {k: v for k, v in os.environ.items() if k not in OURS}
    env.update(DJANGO_SETTINGS_MODULE="network.settings", SECRET_KEY="x" * 60, SEARCH_ENGINE="solr")
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode != 0
    assert "SEARCH_ENGINE is elasticsearch or opensearch" in out.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in OURS}
    env.update(DJANGO_SETTINGS_MODULE="network.settings", DEBUG="0", SECRET_KEY="")
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode != 0
    assert "SECRET_KEY" in out.stderr


def test_check_deploy_is_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in OURS}
    env.update(
        DJANGO_SETTINGS_MODULE="network.settings",
        SECRET_KEY="prod-" + "k3y-Very-Long-And-Random-" * 3,
        ALLOWED_HOSTS="buyers.example.eu",
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout
