"""Test settings: the real settings module, read from the environment like production, plus the
few things only tests need (a fast password hasher, in-memory e-mail, plain HTTP test requests).

``DATABASE_URL`` and ``REDIS_URL`` pass through, so CI runs the same suite on SQLite + in-memory
layer and on PostgreSQL + Redis.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("MFA_REQUIRED_FOR_ADMINS", "0")
os.environ.setdefault("SSO_ALLOW_HTTP_LOOPBACK", "1")  # the test identity provider runs on 127.0.0.1
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# A test reads what it just wrote: index updates run as the response closes (the test client closes
# it before returning). tests/search/test_index_batches.py and the real-server test run them batched.
os.environ.setdefault("SEARCH_INDEX_BATCH_SECONDS", "0")

from network.settings import *  # noqa: F403
from network.settings import BASE_DIR, DATABASES, SQLITE_ENGINE

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = tempfile.mkdtemp(prefix="bn-test-media-")
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
if DATABASES["default"]["ENGINE"] == SQLITE_ENGINE:
    # A file (not :memory:) so live-server and WebSocket tests share the database across threads.
    # One file per test process, so parallel runs (xdist, two terminals) never share one.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
