"""Configuration defaults and the reading of the environment (called from ``create_app`` only)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any


class Defaults:
    """Values every deployment starts from; the environment and ``create_app(overrides)`` change them."""

    # No pre-ping: it is one more round trip on every request (measured: about a tenth of an answer save). A
    # connection that died (database restarted) fails one request, which is answered 503 "try again" (errors.py);
    # SQLAlchemy then replaces every pooled connection. QUIZAPP_DB_PRE_PING=1 turns it on.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": False}
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    WTF_CSRF_TIME_LIMIT = None  # a participant may keep a page open for a whole round
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # on by default when QUIZAPP_BASE_URL is https (from_environment)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=14)  # "remember me" lasts a contest's rounds, not Flask-Login's year
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024  # a little above the import limit so the import can say "too large" itself
    # Flask-Limiter's X-RateLimit-* headers and a Retry-After on every answer of a limited route are off: a refusal
    # says its own Retry-After (quizapp.errors; the per-account sign-in wait, services/sign_in_guard.py).
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_STRATEGY = "moving-window"
    QUIZAPP_IMPORT_MAX_BYTES = 10 * 1024 * 1024
    QUIZAPP_IMPORT_MAX_QUESTIONS = 20_000
    # Per client address. Generous: a meeting hall of 200 people (or a school, an office) reaches the site through
    # one address, and each of them may register, mistype a password and sign in on two devices within minutes.
    # Guessing one account's password is stopped per account instead (QUIZAPP_SIGNIN_*, services/sign_in_guard.py).
    QUIZAPP_LOGIN_LIMIT = "1000 per 10 minutes"
    QUIZAPP_REGISTER_LIMIT = "400 per 10 minutes"
    # Failed sign-ins per account (its login, from any address, every sign-in path and worker): after
    # QUIZAPP_SIGNIN_FREE_FAILURES failures, each further try waits QUIZAPP_SIGNIN_BASE_DELAY seconds, doubled
    # after every further failure, at most QUIZAPP_SIGNIN_MAX_DELAY; the count is forgotten
    # QUIZAPP_SIGNIN_FORGET_AFTER seconds after the last failure, and at a successful sign-in.
    QUIZAPP_SIGNIN_FREE_FAILURES = 5
    QUIZAPP_SIGNIN_BASE_DELAY = 15
    QUIZAPP_SIGNIN_MAX_DELAY = 300
    QUIZAPP_SIGNIN_FORGET_AFTER = 3600
    # Proxies in front of the app that add X-Forwarded-For/-Proto/-Host (nginx: 1). 0: the headers are ignored, so
    # a client cannot choose its own address; with the right count, request.remote_addr is the real client's.
    QUIZAPP_PROXY_HOPS = 0
    QUIZAPP_API_TOKEN_MAX_AGE = 24 * 3600
    QUIZAPP_PAGE_SIZE = 50
    QUIZAPP_FAST_SECONDS_PER_QUESTION = 2  # judges' flag: a submitted attempt faster than this per question
    QUIZAPP_CLI_LOCALE = "vi"
    # Check every JSON answer of the API against the shape its operation declares (quizapp.views.schemas): on in
    # the tests, off in production (it parses each answer again).
    QUIZAPP_CHECK_RESPONSES = False
    # Argon2id at one of the settings OWASP's password storage cheat sheet lists as equally strong (19 MiB x 2 passes,
    # 12 MiB x 3, 9 MiB x 4, 7 MiB x 5; 1 lane). 7 MiB x 5 is chosen for sign-ins per second when a round opens:
    # with two processes verifying at once (memory bandwidth and cache shared), the 2-core benchmark machine did
    # 134-149 verifications a second at 7 MiB x 5, 127-134 at 9 MiB x 4, 108-116 at 12 MiB x 3 and 89-90 at
    # 19 MiB x 2 (libsodium, quizapp/passwords.py; measured 2026-11-21). Hashes made with other settings still
    # verify, and are re-made with these at the next sign-in.
    QUIZAPP_ARGON2_TIME_COST = 5
    QUIZAPP_ARGON2_MEMORY_KIB = 7 * 1024
    QUIZAPP_ARGON2_PARALLELISM = 1
    # Outgoing mail (password reset links) through the SMTP server that MAIL_* in the environment name; without
    # MAIL_SERVER no mail is sent and the forgotten-password page sends people to the organizer.
    MAIL_SERVER: str | None = None
    MAIL_PORT: int | None = None  # None: 465 with MAIL_USE_SSL, 587 with MAIL_USE_TLS, else 25
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_DEFAULT_SENDER: str | None = None
    QUIZAPP_PASSWORD_RESET_LIMIT = "5 per 15 minutes"  # per account asked about, from any address
    # per client address: generous, since a meeting hall or an office shares one address
    QUIZAPP_PASSWORD_RESET_ADDRESS_LIMIT = "60 per 15 minutes"
    QUIZAPP_PASSWORD_RESET_MAX_AGE = 3600  # seconds a password reset link works
    # The site's address for links in mail (https://thi.example.vn); without it the address the request came to,
    # whose Host header a client chooses: set it wherever mail is on.
    QUIZAPP_BASE_URL: str | None = None


def _int_env(environ: Mapping[str, str], name: str) -> int | None:
    raw = environ.get(name)
    return int(raw) if raw not in (None, "") else None


def database_url(environ: Mapping[str, str], instance_path: str) -> str:
    """``DATABASE_URL`` normalised to SQLAlchemy's psycopg 3 dialect, else a SQLite file in the instance folder."""
    url = environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "quizapp.sqlite3")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(environ: Mapping[str, str], instance_path: str) -> str:
    """``SECRET_KEY`` from the environment, else the one kept in the instance folder (created on first use)."""
    if environ.get("SECRET_KEY"):
        return environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def from_environment(environ: Mapping[str, str], instance_path: str) -> dict[str, Any]:
    """Settings that come from the environment: DATABASE_URL, REDIS_URL, SECRET_KEY, MAIL_* and QUIZAPP_* overrides."""
    settings: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": database_url(environ, instance_path),
        "SECRET_KEY": secret_key(environ, instance_path),
    }
    redis_url = environ.get("REDIS_URL", "").strip()
    if redis_url:
        settings.update(
            RATELIMIT_STORAGE_URI=redis_url,
            # Redis out of reach: limits counted in each process, the cache skipped, both logged (README)
            RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
            CACHE_TYPE="quizapp.cache_fallback.FallbackRedisCache",
            CACHE_REDIS_URL=redis_url,
        )
    else:
        settings.update(RATELIMIT_STORAGE_URI="memory://", CACHE_TYPE="SimpleCache")
    for name in ("QUIZAPP_IMPORT_MAX_BYTES", "QUIZAPP_IMPORT_MAX_QUESTIONS", "QUIZAPP_ARGON2_TIME_COST",
                 "QUIZAPP_ARGON2_MEMORY_KIB", "QUIZAPP_ARGON2_PARALLELISM", "QUIZAPP_PROXY_HOPS",
                 "QUIZAPP_SIGNIN_FREE_FAILURES", "QUIZAPP_SIGNIN_BASE_DELAY", "QUIZAPP_SIGNIN_MAX_DELAY",
                 "QUIZAPP_SIGNIN_FORGET_AFTER", "QUIZAPP_DASHBOARD_REFRESH_SECONDS", "QUIZAPP_DASHBOARD_POLL_SECONDS"):
        value = _int_env(environ, name)
        if value is not None:
            settings[name] = value
    if environ.get("QUIZAPP_REQUEST_LOG"):
        settings["QUIZAPP_REQUEST_LOG"] = _flag(environ["QUIZAPP_REQUEST_LOG"])  # one JSON line per request
    if environ.get("QUIZAPP_DB_PRE_PING", "").strip().lower() in ("1", "true", "yes", "on"):
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    for name in ("QUIZAPP_LOGIN_LIMIT", "QUIZAPP_REGISTER_LIMIT", "QUIZAPP_PASSWORD_RESET_LIMIT",
                 "QUIZAPP_PASSWORD_RESET_ADDRESS_LIMIT",
                 "QUIZAPP_BASE_URL", "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER"):
        if environ.get(name):
            settings[name] = environ[name]
    for name in ("MAIL_PORT", "QUIZAPP_PASSWORD_RESET_MAX_AGE"):
        value = _int_env(environ, name)
        if value is not None:
            settings[name] = value
    for name in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        if environ.get(name):
            settings[name] = _flag(environ[name])
    settings.update(cookie_settings(environ))
    return settings


def _flag(raw: str) -> bool:
    return raw.strip().lower() in ("1", "true", "yes", "on")


def cookie_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """Secure cookies (sent over HTTPS only) when the site's address is https, unless QUIZAPP_COOKIE_SECURE says
    otherwise (0/1); QUIZAPP_REMEMBER_DAYS: how long "remember me" keeps a device signed in."""
    settings: dict[str, Any] = {}
    secure = environ.get("QUIZAPP_COOKIE_SECURE", "").strip()
    https = environ.get("QUIZAPP_BASE_URL", "").strip().lower().startswith("https://")
    if secure or https:
        settings["SESSION_COOKIE_SECURE"] = settings["REMEMBER_COOKIE_SECURE"] = _flag(secure) if secure else True
    days = _int_env(environ, "QUIZAPP_REMEMBER_DAYS")
    if days is not None:
        settings["REMEMBER_COOKIE_DURATION"] = timedelta(days=days)
    return settings
