"""gunicorn settings for quizapp in production: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

One such server per app machine (or several per machine on different ports), each behind nginx
(deploy/nginx/quizapp.conf). Every value can be changed by the environment without editing this file:

    GUNICORN_BIND            127.0.0.1:8000   where nginx reaches this server (loopback or a private address only:
                                              whoever can connect here can claim any client address)
    GUNICORN_WORKERS         2 x cores + 1    worker processes
    GUNICORN_WORKER_CLASS    sync             sync: nginx buffers slow clients' requests and answers, so a worker is
                                              busy only while the app computes (bench/README.md, production load)
    GUNICORN_TIMEOUT         30               seconds a request may take before its worker is killed and replaced
    GUNICORN_MAX_REQUESTS    5000             a worker is replaced (gracefully) after this many requests, ±10%
    GUNICORN_FORWARDED_ALLOW_IPS 127.0.0.1    the proxies whose X-Forwarded-Proto gunicorn believes (nginx's address)
    GUNICORN_ACCESS_LOG      unset            "-" (stdout) or a file: one JSON line per request from gunicorn; the app
                                              writes its own (with the account and request id: QUIZAPP_REQUEST_LOG)

A graceful restart (new code, new settings) is ``kill -HUP <master pid>`` (``systemctl reload``): new workers
start, old ones finish what they are doing (``graceful_timeout``) and leave; nothing in flight is dropped.
"""

import json
import logging
import multiprocessing
import os
import sys
from datetime import UTC, datetime

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = _int("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
# with worker_class "gthread": threads per worker (gunicorn also turns "sync" with threads > 1 into gthread)
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5  # only gthread keeps connections open; nginx reconnects for every request to sync workers
# Recycle workers now and then (a leak, fragmentation): the jitter keeps them from all restarting at once. A sync
# worker finishes its one request and leaves; a gthread worker leaving resets the connections it had accepted and
# not yet answered (measured: 3 saves reset, nginx's 502, in 500 people x 300 s), so it is not recycled.
_recycle = 0 if threads > 1 or worker_class == "gthread" else 5000
max_requests = _int("GUNICORN_MAX_REQUESTS", _recycle)
max_requests_jitter = max(1, max_requests // 10) if max_requests else 0
# The X-Forwarded-Proto of nginx only (the client address itself is taken by the app from X-Forwarded-For, as
# many hops as QUIZAPP_PROXY_HOPS says: werkzeug's ProxyFix).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
# Workers are forked from a master that did not import the app: each builds its own database pool and Redis
# clients (never shared across a fork). preload_app would save memory but share those sockets if any was opened.
preload_app = False
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # heartbeat files off the disk
limit_request_line = 8190
limit_request_fields = 100
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "quizapp")


class JsonAccessLogger(Logger):
    """gunicorn's access log as JSON lines (one object per request, every value escaped by ``json``)."""

    def access(self, resp, req, environ, request_time):
        if not self.cfg.accesslog:
            return
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("RAW_URI") or environ.get("PATH_INFO"),
            "status": resp.status_code if hasattr(resp, "status_code") else str(resp.status).split(" ", 1)[0],
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "peer": environ.get("REMOTE_ADDR"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
            "request_id": environ.get("HTTP_X_REQUEST_ID"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
        }
        try:
            self.access_log.info(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
        except Exception:  # noqa: BLE001 - a log line never breaks a request
            self.exception("access log line not written")


logger_class = JsonAccessLogger


def post_fork(server, worker):
    """Warnings of every library to the error log (stderr), Flask-Limiter's "storage unreachable - falling back
    to in-memory storage" among them: its logger has no handler of its own. Set in each worker before it builds
    the app; the app's request lines go their own way (quizapp.request_log)."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
