"""Flask extensions, created unbound; ``create_app`` binds them to an app."""

from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from quizapp.security import client_address

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_address)  # per client address, as ProxyFix found it (quizapp.security)
cache = Cache()
babel = Babel()

#: Endpoints the rate limiter does not look at. None has a limit of its own (the app sets no default limit); they
#: are the requests a contest is made of: the public pages served from the cache, and the requests of an attempt
#: in progress, where the limiter's work on every request (about 0.1 ms, measured) is a visible share of the answer.
UNLIMITED_ENDPOINTS = frozenset({
    "results.leaderboard", "results.winners", "api.round_leaderboard",
    "api.start_attempt", "api.get_attempt", "api.save_answers", "api.submit_attempt", "play.save_json",
})


@limiter.request_filter
def _unlimited() -> bool:
    return request.endpoint in UNLIMITED_ENDPOINTS
