import os
import stat

from quizapp import config


def test_postgres_urls_use_psycopg3():
    assert config.database_url({"DATABASE_URL": "postgres://u@h/db"}, "/x") == "postgresql+psycopg://u@h/db"
    assert config.database_url({"DATABASE_URL": "postgresql://u@h/db"}, "/x") == "postgresql+psycopg://u@h/db"


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path):
    assert config.database_url({}, str(tmp_path)) == f"sqlite:///{tmp_path}/quizapp.sqlite3"


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path):
    first = config.secret_key({}, str(tmp_path))
    second = config.secret_key({}, str(tmp_path))
    assert first == second and len(first) >= 40
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_secret_key_from_environment_wins(tmp_path):
    assert config.secret_key({"SECRET_KEY": "abc"}, str(tmp_path)) == "abc"
    assert not (tmp_path / "secret_key").exists()


def test_redis_url_switches_limiter_and_cache_to_redis(tmp_path):
    settings = config.from_environment({"REDIS_URL": "redis://127.0.0.1:6379/0", "SECRET_KEY": "k"}, str(tmp_path))
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert settings["CACHE_TYPE"] == "quizapp.cache_fallback.FallbackRedisCache"
    local = config.from_environment({"SECRET_KEY": "k"}, str(tmp_path))
    assert local["RATELIMIT_STORAGE_URI"] == "memory://" and local["CACHE_TYPE"] == "SimpleCache"


def test_pre_ping_and_password_cost_come_from_the_environment(tmp_path):
    default = config.from_environment({"SECRET_KEY": "k"}, str(tmp_path))
    assert "SQLALCHEMY_ENGINE_OPTIONS" not in default and not config.Defaults.SQLALCHEMY_ENGINE_OPTIONS["pool_pre_ping"]
    chosen = config.from_environment({"SECRET_KEY": "k", "QUIZAPP_DB_PRE_PING": "1", "QUIZAPP_ARGON2_TIME_COST": "2",
                                      "QUIZAPP_ARGON2_MEMORY_KIB": "19456"}, str(tmp_path))
    assert chosen["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
    assert (chosen["QUIZAPP_ARGON2_TIME_COST"], chosen["QUIZAPP_ARGON2_MEMORY_KIB"]) == (2, 19456)


def test_the_dashboard_s_timings_come_from_the_environment(tmp_path):
    chosen = config.from_environment({"SECRET_KEY": "k", "QUIZAPP_DASHBOARD_REFRESH_SECONDS": "120",
                                      "QUIZAPP_DASHBOARD_POLL_SECONDS": "15"}, str(tmp_path))
    assert (chosen["QUIZAPP_DASHBOARD_REFRESH_SECONDS"], chosen["QUIZAPP_DASHBOARD_POLL_SECONDS"]) == (120, 15)


def test_an_id_beyond_the_integer_columns_is_a_plain_404(client):
    """Every <int:...> route: a number too large for the id columns never reaches the database (no 500)."""
    too_large = ("/api/v1/attempts/99999999999999999999", "/contests/2147483648",
                 "/rounds/99999999999999999999/leaderboard")
    for url in too_large:
        assert client.get(url).status_code == 404
    assert client.get("/contests/2147483647").status_code == 404  # in range: looked up, not found


def test_a_nul_character_anywhere_in_typed_input_is_refused_at_the_door(client, make_user):
    """PostgreSQL cannot store NUL in text; every route answers 400 in words (JSON under /api) before any work."""
    from sqlalchemy import func, select

    from quizapp.extensions import db
    from quizapp.models import User

    users = db.session.scalar(select(func.count()).select_from(User))
    api = client.post("/api/v1/auth/register", json={"full_name": "A\x00B", "phone": "0912345678",
                                                     "password": "mat-khau-1", "unit_code": "X"})
    assert api.status_code == 400 and api.get_json()["error"]["code"] == "nul_character"
    assert client.post("/login", data={"login": "a\x00@x.vn", "password": "x"}).status_code == 400
    assert client.get("/api/v1/units", query_string={"q": "ha\x00noi"}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(User)) == users
