"""Settings for Buyers Network.

Every tunable is declared once in the ``env`` schema below, with the embedded default that lets
``make run`` work on a fresh machine (SQLite, in-memory channel layer, database search). An
integration switches on when its environment variable is set (``DATABASE_URL``, ``REDIS_URL``,
``SEARCH_URL`` / ``OPENSEARCH_URL`` / ``ELASTICSEARCH_URL``); nothing exists only in production.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    SECRET_KEY=(str, ""),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "[::1]"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    DATABASE_URL=(str, f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
    DATABASE_POOL_MAX_SIZE=(int, 20),
    REDIS_LAYER_MAX_CONNECTIONS=(int, 1000),
    REDIS_URL=(str, ""),
    SEARCH_URL=(str, ""),
    OPENSEARCH_URL=(str, ""),
    ELASTICSEARCH_URL=(str, ""),
    SEARCH_ENGINE=(str, ""),
    SEARCH_INDEX_PREFIX=(str, ""),
    ELASTICSEARCH_INDEX_PREFIX=(str, "buyers-network"),
    SEARCH_INDEX_SHARDS=(int, 1),
    SEARCH_INDEX_REPLICAS=(int, 0),
    SEARCH_TIMEOUT=(float, 5.0),
    SEARCH_WARM_UP=(bool, True),
    SEARCH_FACET_EXACT_LIMIT=(int, 1000),
    SEARCH_INDEX_BATCH_SECONDS=(float, 0.2),
    EMAIL_BACKEND=(str, ""),
    EMAIL_FILE_PATH=(str, str(BASE_DIR / "var" / "mail")),
    DEFAULT_FROM_EMAIL=(str, "Buyers Network <no-reply@buyers.network>"),
    ACCESSIBILITY_FEEDBACK_EMAILS=(list, []),
    MEDIA_ROOT=(str, str(BASE_DIR / "var" / "media")),
    STATIC_ROOT=(str, str(BASE_DIR / "var" / "static")),
    TIME_ZONE=(str, "Europe/Helsinki"),
    LANGUAGE_CODE=(str, "en"),
    SECURE_SSL_REDIRECT=(bool, True),
    SECURE_HSTS_SECONDS=(int, 60 * 60 * 24 * 365),
    MFA_REQUIRED_FOR_ADMINS=(bool, None),
    SSO_TIMEOUT=(int, 5),
    SSO_ALLOW_HTTP_LOOPBACK=(bool, None),
    SITE_URL=(str, "http://127.0.0.1:8000"),
    MAX_UPLOAD_SIZE=(int, 20 * 1024 * 1024),
    MAX_REQUEST_BODY=(int, 0),
    TRUSTED_PROXIES=(list, []),
    LOG_LEVEL=(str, "INFO"),
    FORUMS_POSTS_PER_MINUTE=(int, 20),
    STATEMENTS_SIGNS_PER_MINUTE=(int, 30),
    FORUMS_REPORTS_PER_HOUR=(int, 10),
)
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG: bool = env("DEBUG")
SECRET_KEY: str = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for a local development key).")
    SECRET_KEY = "django-insecure-local-development-key-only-for-debug-runs"  # noqa: S105

ALLOWED_HOSTS: list[str] = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS: list[str] = env("CSRF_TRUSTED_ORIGINS")
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks; network.client_ip).
TRUSTED_PROXIES: list[str] = env("TRUSTED_PROXIES")
SITE_URL: str = env("SITE_URL").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.postgres",
    "channels",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "allauth.headless",
    "allauth.usersessions",
    "network",
    "network.search",
    "network.events",
    "network.accessibility",
    "members",
    "knowledge",
    "knowledge.statements",
    "forums",
]

MIDDLEWARE = [
    "network.middleware.ClientAddressMiddleware",
    # Search index updates run after the response is sent (network/search/middleware.py).
    "network.search.middleware.IndexAfterResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "network.middleware.RejectNulCharactersMiddleware",
    "network.middleware.SiteHeadersMiddleware",
    "members.sso.middleware.SsoFormActionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "members.middleware.MfaRequiredMiddleware",
    "network.middleware.ApiErrorMiddleware",
    "network.middleware.IdRangeMiddleware",
    "network.middleware.ApiMethodMiddleware",
]

ROOT_URLCONF = "network.urls"
ASGI_APPLICATION = "network.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "network.context_processors.site",
            ],
        },
    },
]

# Forms render through the project templates: templates/forms/field.html puts a checkbox before its
# label and keeps the error ids Django's aria-describedby names (network/form_renderer.py).
FORM_RENDERER = "network.form_renderer.SiteFormRenderer"

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL")}
SQLITE_ENGINE = "network.sqlite"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Immediate transactions take the write lock up front, so concurrent writers queue on the
    # busy timeout instead of failing with "database is locked" half-way through. In WAL mode
    # ``synchronous=NORMAL`` syncs at checkpoints, not at every commit (SQLite's documented choice
    # for WAL: never corrupt; a power cut may lose the last commits): a forum post's transactions
    # waited ~1 ms each on fsync.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Django's SQLite backend with PostgreSQL's integer ranges: a number either database cannot hold
    # is a field error on both, never a 500 (network/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = SQLITE_ENGINE
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI every sync_to_async thread would keep its own persistent connection and a burst
    # exhausts max_connections; a bounded psycopg pool makes requests wait for a connection instead.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env("DATABASE_POOL_MAX_SIZE"),
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache ---------------------------------------------------------
REDIS_URL: str = env("REDIS_URL")
if REDIS_URL:
    # Redis going away must not fail requests (#20 item 11): connections time out quickly, a
    # command on a pooled connection that died with the old server is retried once on a fresh one
    # (so the first handshake after a restart works), the cache falls back to local memory
    # (network.cache) and socket handshakes are refused with close code 1013 (network.realtime).
    from redis.asyncio.retry import Retry as AsyncRetry
    from redis.backoff import ExponentialBackoff
    from redis.retry import Retry

    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_connect_timeout": 2,
                        "retry": AsyncRetry(ExponentialBackoff(cap=0.5, base=0.05), 2),
                        # redis-py 8 caps a pool at 100 connections and fails the 101st command
                        # at once (MaxConnectionsError): in a 5,000-socket connect storm, 50
                        # handshakes were refused with 4503 that way. Commands in flight at once
                        # grow with a busy loop, not with sockets; connections are reused.
                        "max_connections": env("REDIS_LAYER_MAX_CONNECTIONS"),
                    }
                ],
                "capacity": 1000,
                "expiry": 30,
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "network.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": 1,
                "socket_timeout": 2,
                "retry": Retry(ExponentialBackoff(cap=0.2, base=0.02), 1),
                "RETRY_AFTER": 5,
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Search ---------------------------------------------------------------------------------
# An engine when a URL is set (else the database searches itself). SEARCH_URL leaves the engine to
# be detected (GET / says opensearch or not); OPENSEARCH_URL / ELASTICSEARCH_URL (or SEARCH_ENGINE)
# name it. Comma-separate several nodes.
ELASTICSEARCH_URL: str = env("ELASTICSEARCH_URL")
OPENSEARCH_URL: str = env("OPENSEARCH_URL")
SEARCH_URL: str = env("SEARCH_URL") or OPENSEARCH_URL or ELASTICSEARCH_URL
SEARCH_ENGINE: str = (env("SEARCH_ENGINE") or "").lower() or (
    ""
    if env("SEARCH_URL")
    else "opensearch"
    if OPENSEARCH_URL
    else "elasticsearch"
    if ELASTICSEARCH_URL
    else ""
)
if SEARCH_ENGINE not in ("", "elasticsearch", "opensearch"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SEARCH_ENGINE is elasticsearch or opensearch (or unset: detected)")
SEARCH_INDEX_PREFIX: str = env("SEARCH_INDEX_PREFIX") or env("ELASTICSEARCH_INDEX_PREFIX")
SEARCH_INDEX_SHARDS: int = env("SEARCH_INDEX_SHARDS")
SEARCH_INDEX_REPLICAS: int = env("SEARCH_INDEX_REPLICAS")
SEARCH_TIMEOUT: float = env("SEARCH_TIMEOUT")
#: Load every language's analysers in the background when a server process starts (about 3.6 CPU
#: seconds), so the first search does not wait for them; off, each loads when first used.
SEARCH_WARM_UP: bool = env("SEARCH_WARM_UP")
#: Database backends: facet counts are exact up to this many matches, estimated from a fixed
#: sample of about this many above it (shown as "about N", ``approximate`` in the API).
SEARCH_FACET_EXACT_LIMIT: int = env("SEARCH_FACET_EXACT_LIMIT")
#: A request's index updates run this many seconds after its response, together with those of
#: the other requests that ended meanwhile (network.search.indexing); 0 runs them as the response
#: closes. Engines make a write searchable on their refresh (OpenSearch: every second) the same way.
SEARCH_INDEX_BATCH_SECONDS: float = env("SEARCH_INDEX_BATCH_SECONDS")
SEARCH_BACKEND = "engine" if SEARCH_URL else "database"

# --- Accounts (django-allauth) ----------------------------------------------------------------
AUTH_USER_MODEL = "members.Person"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    # "key" is the account *and* the client address (members.adapters): a guesser elsewhere cannot
    # lock the owner out; the per-address limits still bound guessing from one place.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Buyers Network] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Buyers Network"
# Owners and admins of an organisation must set up MFA; on by default outside DEBUG.
MFA_REQUIRED_FOR_ADMINS: bool = (
    DEBUG is False if env("MFA_REQUIRED_FOR_ADMINS") is None else env("MFA_REQUIRED_FOR_ADMINS")
)
HEADLESS_ONLY = False
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_FRONTEND_URLS = {
    "account_confirm_email": f"{SITE_URL}/accounts/confirm-email/{{key}}/",
    "account_reset_password_from_key": f"{SITE_URL}/accounts/password/reset/key/{{key}}/",
    "account_signup": f"{SITE_URL}/accounts/signup/",
}
# Organisations' OpenID Connect providers (members/sso): allauth's provider, hardened, configured per
# organisation in the database; the client secret is stored Fernet-encrypted under a SECRET_KEY-derived key.
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "provider_class": "members.sso.provider.OrganisationOIDCProvider",
    }
}
SOCIALACCOUNT_ADAPTER = "members.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # linking is decided in members/sso/adapter.py
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
# Seconds to wait for an identity provider before telling the person it did not answer.
SOCIALACCOUNT_REQUESTS_TIMEOUT: int = env("SSO_TIMEOUT")
# http:// issuers on loopback, for a provider on the same machine (tests, development).
SSO_ALLOW_HTTP_LOOPBACK: bool = (
    DEBUG if env("SSO_ALLOW_HTTP_LOOPBACK") is None else env("SSO_ALLOW_HTTP_LOOPBACK")
)

# --- REST API -------------------------------------------------------------------------------
#: Per-person action limits (network.ratelimit): posts a minute, signatures a minute, reports an hour.
FORUMS_POSTS_PER_MINUTE: int = env("FORUMS_POSTS_PER_MINUTE")
STATEMENTS_SIGNS_PER_MINUTE: int = env("STATEMENTS_SIGNS_PER_MINUTE")
FORUMS_REPORTS_PER_HOUR: int = env("FORUMS_REPORTS_PER_HOUR")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "network.api.authentication.SessionTokenAuthentication",  # 401 + WWW-Authenticate when signed out
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "network.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["network.api.filters.FilterBackend"],
    # drf-spectacular's, stating the rules the server applies to request fields (network/api/schema.py)
    "DEFAULT_SCHEMA_CLASS": "network.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "network.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Action limits (posting, signing, reporting) are declared once in network.ratelimit and checked
    # by the services, whatever the surface (counts: FORUMS_POSTS_PER_MINUTE and friends below);
    # DRF scopes are left for endpoints without a service.
    "DEFAULT_THROTTLE_RATES": {"post": "60/min"},
    # REMOTE_ADDR is already the client (network.client_ip); never trust a raw X-Forwarded-For.
    "NUM_PROXIES": 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Buyers Network API",
    "DESCRIPTION": "Tender templates, lessons learned, joint statements of demand, forums and search "
    "for European public buyers of ICT. Authenticate with a browser session or an allauth "
    "`X-Session-Token` from `/_allauth/app/v1/auth/login`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation's error responses, in the one {"detail", "code" | "errors"} shape.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "network.api.schema.document_errors",
        "network.api.schema.link_created_objects",
        "network.api.schema.bound_numeric_parameters",
    ],
    # Choice sets used by several serializers get one schema name each.
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "members.models.Role",
        "VisibilityEnum": "network.visibility.Visibility",
        "WorkingGroupVisibilityEnum": "members.models.WorkingGroup.Visibility",
        "OrganisationKindEnum": "members.models.Organisation.Kind",
        "DeviceCategoryEnum": "network.categories.DeviceCategory",
        "TemplateStatusEnum": "knowledge.models.templates.TenderTemplate.Status",
        "ResourceKindEnum": "knowledge.resources.Resource.Kind",
        "TenderStatusEnum": "knowledge.models.choices.TenderStatus",
        "StatementStatusEnum": "knowledge.statements.models.StatementStatus",
        "StatementAuditActionEnum": "knowledge.statements.models.AuditAction",
        "EventStatusEnum": "network.events.models.Event.Status",
        "RegistrationStatusEnum": "network.events.models.Registration.Status",
        "EventAudienceEnum": "network.events.models.Audience",
        "NotificationChannelEnum": "network.notification_kinds.Channel.values",
    },
}

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE: str = env("LANGUAGE_CODE")
LANGUAGES = [("en", _("English")), ("fi", _("Finnish")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE: str = env("TIME_ZONE")
USE_I18N = True
USE_TZ = True
# Dates and numbers as natives write them (network/formats: fi 29.1.2021 / 29. tammikuuta 2021,
# sv 29 januari 2021). Figures are grouped with `intcomma`, not USE_THOUSAND_SEPARATOR: that
# setting would also group ids and sequence numbers templates write into URLs and data-attributes.
FORMAT_MODULE_PATH = ["network.formats"]

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT")
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MAX_UPLOAD_SIZE: int = env("MAX_UPLOAD_SIZE")
# Largest request body the ASGI stack reads (network.body_limit); 0: MAX_UPLOAD_SIZE + 1 MiB.
MAX_REQUEST_BODY: int = env("MAX_REQUEST_BODY")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")
if EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    Path(EMAIL_FILE_PATH).mkdir(parents=True, exist_ok=True)
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
vars().update({k: v for k, v in EMAIL_CONFIG.items() if k not in ("EMAIL_BACKEND", "EMAIL_FILE_PATH")})
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
# Who receives accessibility feedback (comma-separated); empty: every active staff account.
ACCESSIBILITY_FEEDBACK_EMAILS: list[str] = env("ACCESSIBILITY_FEEDBACK_EMAILS")

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# Scripts never read the CSRF cookie: they take the token from the page's form field
# (``{% csrf_token %}``), so the cookie stays out of reach of injected script.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT")
    SECURE_HSTS_SECONDS = env("SECURE_HSTS_SECONDS")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        # Plus this site's own ws(s):// origin, added per request by SiteHeadersMiddleware.
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Forms sent without a valid CSRF token get a page in the layout that says how to send them again.
CSRF_FAILURE_VIEW = "network.errors.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_403_traceback": {"()": "network.errors.NoTracebackForPermissionDenied"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_403_traceback"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL")},
    "loggers": {
        "daphne": {"level": "WARNING"},
        "django.channels.server": {"level": "WARNING"},
        "django.request": {"filters": ["no_403_traceback"]},
    },
}
