"""The dashboard's headline figures in plain Python: the rules worked by hand, the same
numbers as the pandas path on demo data (both backends), and no pandas or numpy loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta

import pytest
from sqlmodel import select

from db.enums import Role
from db.models import KeyAccount, User
from kam.database import Database
from kam.figures import headline as h
from kam.rules import lifecycle
from tests.support import actor_of

AS_OF = date(2026, 6, 30)

#: The demo ends on AS_OF, a day that has come (a demo in the future is refused).
pytestmark = pytest.mark.today("2026-07-01")


@pytest.mark.parametrize(
    ("as_of", "first", "before_first"),
    [
        (date(2026, 6, 30), date(2025, 7, 1), date(2024, 7, 1)),
        (date(2024, 2, 29), date(2023, 3, 1), date(2022, 3, 1)),  # leap day: the 28th, +1
        # The window opens on a leap day; the year before is the T12M to 2024-02-28.
        (date(2025, 2, 28), date(2024, 2, 29), date(2023, 3, 1)),
        (date(2025, 3, 1), date(2024, 3, 2), date(2023, 3, 2)),
        (date(2026, 12, 31), date(2026, 1, 1), date(2025, 1, 1)),
    ],
)
def test_the_windows_by_hand(as_of: date, first: date, before_first: date) -> None:
    assert h.t12m_window(as_of) == (first, as_of)
    assert h.retention_windows(as_of) == (before_first, first, as_of)
    # The year before is a trailing twelve months itself, ending on the window's eve.
    assert h.t12m_window(first - timedelta(days=1))[0] == before_first


def test_the_discount_factor_by_hand() -> None:
    # r = 0.5, d = 10 %, H = 3: 1/1.1 + 0.5/1.21 + 0.25/1.331
    assert h.discount_factor(0.5, 0.10, 3) == pytest.approx(
        0.9090909 + 0.4132231 + 0.1878287, abs=1e-6
    )
    assert h.discount_factor(0.0, 0.10, 5) == pytest.approx(1 / 1.1)  # the first year counts
    assert h.discount_factor(1.0, 0.0, 4) == 4.0


def test_the_retention_share_counts_last_year_s_buyers_only() -> None:
    flags = [(1, 1), (1, 0), (0, 1), (True, True), (0, 0)]  # 3 bought before, 2 of them again
    assert h.retention_share(flags) == pytest.approx(2 / 3)
    assert h.retention_share([(0, 1)]) is None


def test_the_pareto_point_and_curve_by_hand() -> None:
    ranked = [50.0, 30.0, 10.0, 10.0, 0.0, -0.0, 0.0, 0.0, 0.0, 0.0]  # total 100
    assert h.pareto_point(ranked) == (2, 0.2)  # 50 + 30 = 80: exactly the 80 %
    curve = h.pareto_curve(ranked)
    assert curve[0] == (0.1, 0.5) and curve[1] == (0.2, 0.8) and curve[3] == (0.4, 1.0)
    assert h.pareto_point([0.1, 0.7, 0.0]) == (2, 2 / 3)  # 0.1 + 0.7 is 0.7999… in floats
    assert h.pareto_point([-5.0, -1.0]) == (None, None)  # no profit: no 80 % point
    assert h.pareto_curve([]) == [(t / 10, 0.0) for t in range(1, 11)]


def test_the_pareto_ranking_by_hand() -> None:
    ranked = [(7, "Big", 60.0), (3, "Mid", 50.0), (5, "Even", 0.0), (9, "Loss", -10.0)]
    r = h.pareto_ranking(ranked)  # total 60 + 50 + 0 - 10 = 100
    assert [row["rank"] for row in r.rows] == [1, 2, 3, 4]
    assert [row["cum_profit"] for row in r.rows] == [60.0, 110.0, 110.0, 100.0]
    assert [row["cum_share"] for row in r.rows] == [0.6, 1.1, 1.1, 1.0]
    assert [row["customer_share"] for row in r.rows] == [0.25, 0.5, 0.75, 1.0]
    assert list(r.rows[0]) == list(h.RANKING_COLUMNS)
    assert (r.rows[0]["customer_id"], r.rows[0]["customer"]) == (7, "Big")
    # 80 % of 100 is 80: Big (60) and Mid (110) -> 2 customers, 2 of 4.
    assert (r.total_profit, r.customers_for_80, r.share_for_80) == (100.0, 2, 0.5)
    assert (r.below_break_even, r.loss_from_below_break_even) == (1, -10.0)
    nothing = h.pareto_ranking([(1, "A", 5.0), (2, "B", -5.0)])
    assert [row["cum_share"] for row in nothing.rows] == [None, None]  # no total to share
    assert nothing.customers_for_80 is None
    assert h.pareto_ranking([]).rows == []


def test_the_database_s_ranking_equals_the_pandas_pareto_on_demo_data(
    database: Database,
) -> None:
    from kam.figures import metrics
    from kam.figures.base import base_figures
    from kam.services.demo import DemoOptions, load_demo

    with database.writing() as s:
        s.add(User(login="ada", display_name="Ada", role=Role.ADMIN))
    with database.writing() as s:
        ada = actor_of(s.exec(select(User)).one())
        load_demo(s, ada, DemoOptions(customers=120, years=3, as_of=AS_OF))
    with database.reading() as s:
        fast = h.pareto_ranking(h.ranked_profit(s, AS_OF))
        slow = base_figures(s, as_of=AS_OF, model=False, clv=False)
    pareto = metrics.pareto(slow.profit["profit"])
    table = pareto.table.to_dict("records")
    assert len(fast.rows) == len(table) == 120
    names = slow.customers.set_index("customer_id")["name"]
    for got, want in zip(fast.rows, table, strict=True):
        assert got["customer_id"] == want["customer_id"]
        assert got["customer"] == names[want["customer_id"]]
        for key in ("profit", "cum_profit", "cum_share", "customer_share"):
            assert got[key] == pytest.approx(want[key], rel=1e-9, abs=1e-6), key
    assert (fast.customers_for_80, fast.share_for_80) == (
        pareto.customers_for_80,
        pareto.share_for_80,
    )
    assert fast.below_break_even == len(pareto.below_break_even)
    assert fast.total_profit == pytest.approx(pareto.total_profit)


def test_the_headline_equals_the_pandas_figures_on_demo_data(database: Database) -> None:
    from kam.figures import metrics
    from kam.figures.base import base_figures
    from kam.services.demo import DemoOptions, load_demo

    with database.writing() as s:
        s.add(User(login="ada", display_name="Ada", role=Role.ADMIN))
    with database.writing() as s:
        ada = actor_of(s.exec(select(User)).one())
        load_demo(s, ada, DemoOptions(customers=120, years=3, as_of=AS_OF))
    with database.writing() as s:  # one override of each kind, so both take part
        accounts = s.exec(select(KeyAccount).order_by(KeyAccount.id)).all()  # type: ignore[arg-type]
        accounts[0].retention_override, accounts[1].margin_override = 0.9, 12345.0
    from kam.figures.fits import request
    from kam.services.lifetime import lifetime_values

    with database.reading() as s:
        members = [a.customer_id for a in s.exec(select(KeyAccount)).all()
                   if lifecycle.is_member(a.status)]  # fmt: skip
        pending = h.headline(s, as_of=AS_OF, members=members)
    assert pending.fit_pending and pending.clv_model == "simple"
    lifetime_values(database, ada, request(AS_OF))  # the fit, kept
    with database.reading() as s:
        fast = h.headline(s, as_of=AS_OF, members=members)
        slow = base_figures(s, as_of=AS_OF)
    assert not fast.fit_pending
    assert fast.clv_model == slow.fit.model == "probabilistic"  # type: ignore[union-attr]
    assert members and fast.customers == len(slow.profit) == 120
    profit, clv = slow.profit["profit"], slow.clv["clv"]
    pareto = metrics.pareto(profit)
    assert fast.total_profit == pytest.approx(profit.sum())
    assert fast.key_account_profit == pytest.approx(profit[profit.index.isin(members)].sum())
    assert fast.total_clv == pytest.approx(clv[clv.index.isin(members)].sum())
    assert (fast.customers_for_80, fast.share_for_80) == (
        pareto.customers_for_80,
        pareto.share_for_80,
    )
    assert fast.below_break_even == len(pareto.below_break_even)
    shares = pareto.table["cum_share"].tolist()
    for share_of_customers, share_of_profit in fast.pareto_curve:
        k = max(1, round(120 * share_of_customers))
        assert share_of_profit == pytest.approx(shares[k - 1])


def test_the_dashboard_s_figures_load_neither_pandas_nor_numpy(sqlite_database: Database) -> None:
    """The first screen shows figures without waiting for pandas to load."""
    script = (
        "import json, sys\n"
        "from datetime import date\n"
        "from db.engine import make_engine\n"
        "from kam.database import Database\n"
        "from kam.services.dashboard import programme_overview\n"
        f"db = Database(make_engine({sqlite_database.engine.url.render_as_string(False)!r}))\n"
        "with db.reading() as s:\n"
        "    o = programme_overview(s, as_of=date(2026, 6, 30))\n"
        "print(json.dumps([o.customers, sorted(m for m in sys.modules\n"
        "                  if m.split('.')[0] in ('pandas', 'numpy', 'scipy'))]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    customers, heavy = json.loads(done.stdout)
    assert customers == 0 and heavy == []


def test_the_dashboard_s_figures_build_no_model_and_on_a_connection_load_no_orm(
    sqlite_database: Database,
) -> None:
    """Building the models of the tables the figures read takes longer than reading them:
    the figures read plain tables (db.tables). Through a session they build no table's
    model; on a bare connection, as `kam` begins them before the app (screens.launch), they
    load neither the ORM nor SQLModel nor pydantic."""
    script = (
        "import json, sys\n"
        "from datetime import date\n"
        "from db.engine import make_engine\n"
        "from kam.database import Database\n"
        "from kam.services.dashboard import programme_overview\n"
        f"db = Database(make_engine({sqlite_database.engine.url.render_as_string(False)!r}))\n"
        "with db.VIA as s:\n"
        "    programme_overview(s, as_of=date(2026, 6, 30), alerts=False)\n"
        "heavy = ('sqlmodel', 'pydantic', 'sqlalchemy.orm', 'pandas', 'textual')\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "    if m.startswith('db.models.') or m in heavy)))\n"
    )

    def loaded(via: str) -> list[str]:
        done = subprocess.run([sys.executable, "-c", script.replace("VIA", via)],
                              capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
        return json.loads(done.stdout)  # type: ignore[no-any-return]

    assert loaded("connected()") == []
    assert not [m for m in loaded("reading()") if m.startswith("db.models.")]


def test_a_customer_without_sales_or_costs_counts_with_no_profit_by_hand(
    database: Database,
) -> None:
    """The small base (tests/support.py, as of 2026-06-30: Acme 500, Plain 70, 北京 -40)
    and Quiet GmbH, who neither bought nor cost anything: four customers, 530 in all, ranked
    500, 70, 0, -40. 80 % of 530 is 424: Acme alone makes it, 1 of 4. At half the base (2 of
    4) the curve is at (500 + 70) / 530. Quiet, taken as a member, adds no profit and no
    CLV (0 a year)."""
    from db.models import Customer
    from tests.support import add_small_base, make_cast

    make_cast(database)
    add_small_base(database)
    with database.writing() as s:
        s.add(Customer(name="Quiet GmbH"))
    with database.reading() as s:
        quiet = s.exec(select(Customer).where(Customer.name == "Quiet GmbH")).one().id
        alone = h.headline(s, as_of=AS_OF, members=[1])
        with_quiet = h.headline(s, as_of=AS_OF, members=[1, quiet])
    assert (alone.customers, alone.total_profit, alone.below_break_even) == (4, 530.0, 1)
    assert (alone.customers_for_80, alone.share_for_80) == (1, 0.25)
    assert alone.pareto_curve[4] == (0.5, pytest.approx(570 / 530))
    assert alone.pareto_curve[9] == (1.0, pytest.approx(1.0))
    assert with_quiet.key_account_profit == alone.key_account_profit == 500.0
    assert with_quiet.total_clv == pytest.approx(alone.total_clv)


def test_reads_at_once_run_side_by_side_but_a_writing_session_reads_alone(
    database: Database,
) -> None:
    """db.aggregates.at_once runs the first read on the session's connection and the others
    on a pool's threads (a thread done with one may take the next), each with its own
    connection; a writing session does them all itself, so they see what it has written."""
    import threading

    from db import aggregates
    from db.models import Customer

    threads: list[int] = []

    def count(conn: object) -> int:
        threads.append(threading.get_ident())
        return aggregates.customer_count(conn)  # type: ignore[arg-type]

    with database.writing() as s:
        s.add(Customer(name="Not yet committed"))
        s.flush()
        assert aggregates.at_once(s.connection(), [count, count, count]) == [1, 1, 1]
        assert len(set(threads)) == 1
    threads.clear()
    with database.reading() as s:
        assert aggregates.at_once(s.connection(), [count, count, count]) == [1, 1, 1]
        assert threading.get_ident() in threads and len(set(threads)) >= 2
