"""Settings from the environment, read once per process when asked for (never at import)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kam.errors import SettingError

ENV_PREFIX = "KAM_"


def default_database_url() -> str:
    """SQLite in the user's data directory (e.g. ~/.local/share/kam/kam.db)."""
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('kam', appauthor=False)) / 'kam.db'}"


@dataclass(frozen=True)
class Settings:
    """What a kam process needs to know about its environment."""

    database_url: str
    """SQLAlchemy URL: KAM_DATABASE_URL, else SQLite in the user data directory."""
    act_as: str | None = None
    """KAM_USER: another user to act as; honoured only for a real admin."""
    busy_timeout_ms: int = 10_000
    """KAM_BUSY_TIMEOUT_MS: how long SQLite waits for the write lock."""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read the settings from the environment."""
        env = os.environ if environ is None else environ
        timeout = env.get(f"{ENV_PREFIX}BUSY_TIMEOUT_MS", "10000").strip()
        if not timeout.isdigit() or not 0 <= int(timeout) <= 3_600_000:
            raise SettingError(
                f"{ENV_PREFIX}BUSY_TIMEOUT_MS is '{timeout[:40]}'; it takes a whole number of "
                "milliseconds from 0 to 3600000 (default 10000)."
            )
        url = env.get(f"{ENV_PREFIX}DATABASE_URL") or default_database_url()
        _check_url(url)
        return cls(
            database_url=url,
            act_as=env.get(f"{ENV_PREFIX}USER") or None,
            busy_timeout_ms=int(timeout),
        )


def _check_url(url: str) -> None:
    """Refuse a database URL SQLAlchemy cannot read, naming the setting (never the password)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SettingError(
            f"{ENV_PREFIX}DATABASE_URL is not a database URL; write it like "
            "sqlite:////path/to/kam.db or postgresql+psycopg://user@host/kam."
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingError(
            f"{ENV_PREFIX}DATABASE_URL names {parsed.get_backend_name()}; kam runs on SQLite "
            "or PostgreSQL."
        )
