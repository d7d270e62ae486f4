"""/healthz says the process is up; /readyz checks every component for real."""

from __future__ import annotations

import pytest
from channels.layers import channel_layers
from django.test import override_settings


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_names_each_component_when_all_are_up(client):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert set(body["components"]) == {"database", "channel_layer", "cache", "search", "search_analysers"}
    assert all(c["status"] == "ok" for c in body["components"].values())
    # Which analysers run: Voikko for Finnish, simplemma, Hunspell compounds, lingua detection.
    analysers = body["components"]["search_analysers"]["detail"]
    assert (
        analysers.startswith("ok: ")
        and "fi Voikko: ok" in analysers
        and "compounds_sv Hunspell: ok" in analysers
    )


@pytest.mark.django_db
def test_readyz_reports_503_naming_a_channel_layer_that_is_down(client):
    # A real channels-redis layer pointed at a port where nothing listens.
    dead = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    with override_settings(CHANNEL_LAYERS=dead):
        channel_layers.backends.clear()
        try:
            response = client.get("/readyz")
        finally:
            channel_layers.backends.clear()
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "down"
    assert body["components"]["channel_layer"]["status"] == "down"
    assert body["components"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_readyz_reports_a_cache_that_is_down(client):
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=dead):  # Django resets its cache handler on this change
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["components"]["cache"]["status"] == "down"
