"""kam databases to measure against: built once (kam init + kam import, or kam init
--demo), then copied for every run that writes or reads.

SQLite templates are files under the work folder, kept with --keep and reused while the
data and kam's migrations are the same. PostgreSQL templates are databases made on the
given server (named kam_bench_<pid>_…), cloned with CREATE DATABASE … TEMPLATE for each
run, and all dropped at the end.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks import process
from benchmarks.data import SALES_COLUMNS, Dataset

ROOT = Path(__file__).resolve().parent.parent
#: Customers of a generated dataset nominated as key accounts in its full database.
KEY_ACCOUNTS = 20


def schema_mark() -> str:
    """Names of kam's migrations: a kept database built under other ones is built again."""
    names = sorted(p.name for p in (ROOT / "db" / "migrations" / "versions").glob("*.py"))
    return hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]


class SQLiteBases:
    """SQLite databases: the demo, and per dataset one with the customers and one full."""

    def __init__(self, folder: Path, kam: str, env: dict[str, str]) -> None:
        self.folder = folder / "db"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.kam, self.env = kam, env

    def env_for(self, path: Path) -> dict[str, str]:
        return {**self.env, "KAM_DATABASE_URL": f"sqlite:///{path}"}

    def _build(self, name: str, mark: dict[str, str], steps: list[list[str]]) -> Path:
        path = self.folder / f"{name}.db"
        marker = self.folder / f"{name}.json"
        mark = {**mark, "schema": schema_mark()}
        if path.exists() and marker.exists() and json.loads(marker.read_text()) == mark:
            return path
        marker.unlink(missing_ok=True)
        process.remove_sqlite(path)
        for step in steps:
            process.check([self.kam, *step], self.env_for(path))
        marker.write_text(json.dumps(mark))
        return path

    def demo(self) -> Path:
        """`kam init --demo`: kam's own demo data (2,000 customers), as of today."""
        from datetime import date

        mark = {"demo": "kam init --demo", "as_of": date.today().isoformat()}
        return self._build("demo", mark, [["init", "--demo"]])

    def customers(self, data: Dataset) -> Path:
        """kam init + kam import customers: ready for a sales-lines import."""
        mark = {"data": data.spec.label, "as_of": data.as_of.isoformat(), "part": "customers"}
        return self._build(
            f"{data.spec.label}-customers", mark,
            [["init"], ["import", "customers", str(data.customers_csv)]],
        )  # fmt: skip

    def full(self, data: Dataset) -> Path:
        """The customers, their sales lines and cost-to-serve lines, imported by kam, and
        the first `KEY_ACCOUNTS` customers nominated into the programme (so the dashboard
        and `kam account list` have key accounts to show)."""
        mark = {"data": data.spec.label, "as_of": data.as_of.isoformat(), "part": "full",
                "key_accounts": str(KEY_ACCOUNTS)}  # fmt: skip
        nominations = data.folder / "nominations.jsonl"
        nominations.write_text(
            "".join(
                json.dumps({"action": "account.nominate", "customer": name}) + "\n"
                for name in data.customer_names(KEY_ACCOUNTS)
            ),
            encoding="utf-8",
        )
        return self._build(
            f"{data.spec.label}-full", mark,
            [["init"], ["import", "customers", str(data.customers_csv)],
             ["import", "transactions", str(data.sales_csv)],
             ["import", "costs", str(data.costs_csv)],
             ["batch", str(nominations)]],
        )  # fmt: skip

    def base(self, data: Dataset | None) -> Path:
        """kam's demo (None), else the full database of a generated dataset."""
        return self.demo() if data is None else self.full(data)

    def names(self, path: Path) -> list[str]:
        """Every customer's name in a kam database."""
        import sqlite3

        # immutable: read the closed template without leaving -wal/-shm files beside it
        db = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
        try:
            return [name for (name,) in db.execute("SELECT name FROM customer")]
        finally:
            db.close()


class Postgres:
    """Databases made (and dropped) on a PostgreSQL server for the benchmarks."""

    def __init__(self, url: str, kam: str, env: dict[str, str]) -> None:
        import os

        self.url = url
        self.kam, self.env = kam, env
        self.prefix = f"kam_bench_{os.getpid()}"
        self.made: list[str] = []
        self.templates: dict[str, str] = {}
        self._count = 0

    def sqlalchemy_url(self, name: str) -> str:
        """The URL kam takes (KAM_DATABASE_URL) for database `name` on the server."""
        parts = urlsplit(self.url)
        scheme = parts.scheme if "+" in parts.scheme else "postgresql+psycopg"
        return urlunsplit((scheme, parts.netloc, f"/{name}", parts.query, ""))

    def libpq_url(self, name: str) -> str:
        """The URL psql takes for database `name`."""
        parts = urlsplit(self.url)
        return urlunsplit(("postgresql", parts.netloc, f"/{name}", parts.query, ""))

    def _admin(self, sql: str) -> list[tuple[object, ...]]:
        import psycopg

        with psycopg.connect(self.libpq_url("postgres"), autocommit=True) as db:
            cursor = db.execute(sql)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    def version(self) -> str:
        """The server's version, and the settings that change write speed when off."""
        version = str(self._admin("SHOW server_version")[0][0]).split()[0]
        off = [
            s for s in ("fsync", "synchronous_commit") if self._admin(f"SHOW {s}")[0][0] == "off"
        ]
        return f"{version} ({', '.join(off)} off)" if off else version

    def create(self, template: str | None = None) -> str:
        """A new database (a copy of `template` when given); its name."""
        self._count += 1
        name = f"{self.prefix}_{self._count}"
        clause = f" TEMPLATE {template} STRATEGY FILE_COPY" if template else ""
        self._admin(f"CREATE DATABASE {name}{clause}")
        self.made.append(name)
        return name

    def drop(self, name: str) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if name in self.made:
            self.made.remove(name)

    def customers(self, data: Dataset) -> str:
        """A template database with kam's schema and the dataset's customers."""
        label = data.spec.label
        if label not in self.templates:
            name = self.create()
            env = {**self.env, "KAM_DATABASE_URL": self.sqlalchemy_url(name)}
            process.check([self.kam, "init"], env)
            process.check([self.kam, "import", "customers", str(data.customers_csv)], env)
            self.templates[label] = name
        return self.templates[label]

    def plain_table(self, name: str) -> None:
        """The reference's table: the sales-lines columns, typed, without keys or indexes."""
        import psycopg

        columns = ", ".join(f"{c} {t}" for c, t in SALES_COLUMNS)
        with psycopg.connect(self.libpq_url(name), autocommit=True) as db:
            db.execute(f"CREATE TABLE t ({columns})")  # type: ignore[arg-type]

    def close(self) -> None:
        """Drop every database made here."""
        for name in list(reversed(self.made)):
            try:
                self.drop(name)
            except Exception as error:  # noqa: BLE001 - drop the others all the same
                print(f"benchmarks: could not drop {name}: {error}")
