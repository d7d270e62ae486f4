"""Settings for benchmark servers and workers: the test settings (production settings read from
the environment, DEBUG off) plus a URLconf that mounts the bare baseline views beside the real ones.

Rate limits are lifted: a benchmark drives hundreds of requests a minute from a handful of bench
accounts, and measuring the throttle would hide the code path under test. Everything else —
middleware, authentication, the visibility policy, the channel layer — is the production stack.
"""

import os

# Index updates batched as in production (the test settings run them as each response closes).
os.environ.setdefault("SEARCH_INDEX_BATCH_SECONDS", "0.2")

from tests.settings import *  # noqa: F403
from tests.settings import REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": dict.fromkeys(REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}), "1000000/min"),
}
ACCOUNT_RATE_LIMITS = False
FORUMS_POSTS_PER_MINUTE = 1_000_000
FORUMS_SOCKET_MESSAGES_PER_10S = 1_000_000
STATEMENTS_SIGNS_PER_MINUTE = 1_000_000
FORUMS_REPORTS_PER_HOUR = 1_000_000
