"""The bench settings plus Wagtail's ``modelsearch`` (database backend) and the peer model, for
``bench.workers.search_peers`` only: the project itself never installs ``modelsearch``."""

from bench.settings import *  # noqa: F403
from bench.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "modelsearch", "bench.peers"]
MODELSEARCH_BACKENDS = {"default": {"BACKEND": "modelsearch.backends.database"}}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
