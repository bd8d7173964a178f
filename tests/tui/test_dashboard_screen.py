"""The dashboard: the programme against its cap, total CLV, key-account profit against the
base, the Pareto curve drawn in the terminal, and the alerts, each one Enter away from its
account; names and notes are shown literally, and a failed load says so.

The figures are the small base's, worked out in tests/conftest.py `add_small_base`, as of
2026-06-30: Acme profit 500, 北京 -40, Plain 70 (base 530); Acme is the only member."""

from __future__ import annotations

import asyncio
import threading
from datetime import date
from typing import Any

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from db.enums import ComplaintStatus, Department, Severity
from db.models import Commitment, Complaint, Customer, KeyAccount
from kam.database import Database
from kam.errors import RuleError
from kam.identity import Actor
from screens.app import KamApp, create_app
from screens.areas.dashboard import DashboardScreen
from screens.sheet.screen import AccountSheetScreen
from screens.widgets.pareto_chart import ParetoChart
from tests.support import Cast, add_small_base, make_cast
from tests.tui.support import notices, rows, settle, text_of, tui

SIZE = (120, 40)
AS_OF = date(2026, 6, 30)
ACME = "Acme [/b] Ltd"
BEIJING = "北京燕京啤酒"
HOSTILE = "[@click=app.quit]x[/]"


def add_alerts(database: Database) -> None:
    """An overdue commitment and an open complaint on Acme, an open complaint on 北京."""
    with database.writing() as s:
        ids = {c.name: c.id for c in s.exec(select(Customer)).all()}
        s.add(
            Commitment(
                customer_id=ids[ACME],
                description="[TODO] plan the QBR",
                department=Department.SALES,
                due_on=date(2026, 5, 1),
            )
        )
        s.add(
            Complaint(
                customer_id=ids[ACME],
                summary=f"Invoice wrong {HOSTILE}",
                severity=Severity.HIGH,
                status=ComplaintStatus.RECORDED,
                recorded_on=date(2026, 6, 1),
            )
        )
        s.add(
            Complaint(
                customer_id=ids[BEIJING],
                summary="Late delivery",
                severity=Severity.LOW,
                status=ComplaintStatus.HANDLED,
                recorded_on=date(2026, 6, 10),
            )
        )


@pytest.fixture
def dashboard_cast(sqlite_database: Database) -> Cast:
    """The cast, the small base and three alerts besides the visit and review ones."""
    cast = make_cast(sqlite_database)
    add_small_base(sqlite_database)
    add_alerts(sqlite_database)
    return cast


def dashboard_app(database: Database, actor: Actor) -> KamApp:
    return create_app(database, tui(actor), as_of=AS_OF, area="accounts")


async def open_dashboard(app: KamApp, pilot: Pilot[None]) -> DashboardScreen:
    await settle(app, pilot)
    app.push_screen(DashboardScreen())
    await settle(app, pilot)
    assert isinstance(app.screen, DashboardScreen)
    return app.screen


async def test_the_dashboard_shows_the_programme_against_its_cap_its_worth_and_the_pareto_curve(
    sqlite_database: Database, dashboard_cast: Cast
) -> None:
    app = dashboard_app(sqlite_database, dashboard_cast.executive)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        assert not screen.query_one("#body").loading
        figures = text_of(screen.query_one("#figures", Static))
        assert "as of 2026-06-30" in figures
        assert "1 of 25 active; warn under 5" in figures
        assert "under the minimum of 5" in figures
        assert "+ 1 nominated/vetting/review" in figures  # 北京, nominated
        # CLV: Acme's (500 a year, base retention 2/3, 10 %, 5 years) = 1,059.
        assert "1,059 of key accounts" in figures
        assert "500 key accounts (94 %)" in figures  # 500 / 530
        assert "530 whole base, T12M" in figures
        assert "3 customers, 1 losing" in figures
        assert "33 % of customers make 80 %" in figures
        assert "of profit: 1 of 3" in figures

        chart = screen.query_one(ParetoChart)
        assert chart.share_for_80 == pytest.approx(1 / 3)
        # Three customers: the best tenth is Acme (500 of 530 = 94 %), the first half
        # Acme and Plain (570 / 530 = 108 %: 北京 takes 8 % back), the whole base 100 %.
        assert [round(y * 100) for _, y in chart.curve] == [94] * 4 + [108] * 4 + [100] * 2
        drawn = str(chart.render())
        assert "the best x % of customers make y % of profit" in drawn
        assert "x %   10  20  30  40  50  60  70  80  90 100" in drawn
        assert "y %   94  94  94  94 108 108 108 108 100 100" in drawn
        assert "108 % ┤" in drawn and "80 % ┤" in drawn


async def test_the_alerts_are_listed_most_pressing_first_and_shown_literally(
    sqlite_database: Database, dashboard_cast: Cast
) -> None:
    app = dashboard_app(sqlite_database, dashboard_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        await pilot.press("m")  # every account's alerts, not only hers
        assert rows(screen.query_one("#alerts", DataTable)) == [
            [
                "Commitment",
                "2026-05-01",
                ACME,
                "commitment overdue since 2026-05-01: [TODO] plan the QBR",
            ],
            [
                "Complaint",
                "2026-06-01",
                ACME,
                f"high complaint recorded since 2026-06-01: Invoice wrong {HOSTILE}",
            ],
            [
                "Complaint",
                "2026-06-10",
                BEIJING,
                "low complaint handled since 2026-06-10: Late delivery",
            ],
            [
                "Sponsor visit",
                "2025-04-15",
                ACME,
                "sponsor visit overdue (never visited; due 2025-04-15)",
            ],
            ["Review due", "–", ACME, "review never scheduled"],
            ["Plan", "–", ACME, "no plan for 2026"],
            ["Coverage", "–", ACME, "nobody at the customer met in 180 days"],
            ["Coverage", "–", ACME, "our executive sponsor has no counterpart at the customer"],
        ]
        assert "ALERTS (8)" in text_of(screen.query_one("#alerts-title", Static))
        assert app.is_running


async def test_enter_on_a_plan_or_coverage_alert_opens_the_account_it_names(
    sqlite_database: Database, dashboard_cast: Cast
) -> None:
    app = dashboard_app(sqlite_database, dashboard_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        for kind in ("Plan", "Coverage"):
            screen = await open_dashboard(app, pilot)
            table = screen.query_one("#alerts", DataTable)
            table.move_cursor(row=[r[0] for r in rows(table)].index(kind))
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, AccountSheetScreen) and app.screen.customer == ACME


async def test_enter_on_an_alert_opens_its_account_sheet(
    sqlite_database: Database, dashboard_cast: Cast
) -> None:
    app = dashboard_app(sqlite_database, dashboard_cast.viewer)
    async with app.run_test(size=SIZE) as pilot:
        await open_dashboard(app, pilot)
        assert "enter" in app.screen.active_bindings  # shown in the footer as "Open account"
        await pilot.press("down", "down", "enter")  # the complaint on 北京
        await settle(app, pilot)
        sheet = app.screen
        assert isinstance(sheet, AccountSheetScreen)
        assert sheet.customer == BEIJING
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("enter")  # back on the accounts list: the first account
        await settle(app, pilot)
        assert isinstance(app.screen, AccountSheetScreen)


async def test_a_hostile_customer_name_in_an_alert_is_text_and_opens_its_account(
    sqlite_database: Database, dashboard_cast: Cast
) -> None:
    with sqlite_database.writing() as s:
        customer = Customer(name=HOSTILE)
        s.add(customer)
        s.flush()
        s.add(
            KeyAccount(
                customer_id=customer.id,
                status="active",
                admitted_on=date(2026, 1, 5),
                admitted_by_override=True,
                next_review_on=date(2026, 12, 1),
            )
        )
    app = dashboard_app(sqlite_database, dashboard_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        table = screen.query_one("#alerts", DataTable)
        hostile = [n for n, row in enumerate(rows(table)) if row[2] == HOSTILE]
        assert [rows(table)[n][0] for n in hostile] == [
            "Sponsor visit", "Plan", "Coverage", "Override"]  # fmt: skip
        table.move_cursor(row=hostile[-1])
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountSheetScreen)
        assert app.screen.customer == HOSTILE
        assert app.is_running


async def test_the_dashboard_shows_it_is_loading_and_r_computes_again(
    sqlite_database: Database, dashboard_cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kam.services import dashboard

    computing = threading.Event()
    go_on = threading.Event()
    real = dashboard.programme_overview

    def held(*args: Any, **kwargs: Any) -> Any:
        computing.set()
        go_on.wait(timeout=30)
        return real(*args, **kwargs)

    monkeypatch.setattr(dashboard, "programme_overview", held)
    app = dashboard_app(sqlite_database, dashboard_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = DashboardScreen()
        app.push_screen(screen)
        await pilot.pause()
        try:
            assert computing.wait(timeout=30)
            assert screen.query_one("#body").loading  # the indicator shows while it computes
        finally:
            go_on.set()
        await settle(app, pilot)
        assert not screen.query_one("#body").loading
        assert screen.overview is not None and len(screen.overview.alerts) == 8
        with sqlite_database.writing() as s:
            acme = s.exec(select(Customer).where(Customer.name == ACME)).one()
            s.add(
                Commitment(
                    customer_id=acme.id,
                    description="Send samples",
                    department=Department.OPERATIONS,
                    due_on=date(2026, 6, 1),
                )
            )
        await pilot.press("r")
        await settle(app, pilot)
        assert len(screen.overview.alerts) == 9
        # Hers (Acme's) first: 8 of the 9; m shows them all.
        assert "ALERTS (8)" in text_of(screen.query_one("#alerts-title", Static))
        await pilot.press("m")
        assert "ALERTS (9)" in text_of(screen.query_one("#alerts-title", Static))


async def test_the_figures_show_while_the_alerts_are_still_being_listed(
    sqlite_database: Database, dashboard_cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The alerts are listed once the figures are on screen, not before them."""
    from kam.services import dashboard

    listing = threading.Event()
    go_on = threading.Event()
    real = dashboard.programme_alerts

    def held(*args: Any, **kwargs: Any) -> Any:
        listing.set()
        go_on.wait(timeout=30)
        return real(*args, **kwargs)

    monkeypatch.setattr(dashboard, "programme_alerts", held)
    app = dashboard_app(sqlite_database, dashboard_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = DashboardScreen()
        app.push_screen(screen)
        try:
            assert await asyncio.to_thread(listing.wait, 30)
            await pilot.pause()
            assert not screen.query_one("#body").loading
            assert "1,059 of key accounts" in text_of(screen.query_one("#figures", Static))
            assert screen.query_one("#alerts", DataTable).loading
            assert "computing…" in text_of(screen.query_one("#figures", Static))  # the what-if
        finally:
            go_on.set()
        await settle(app, pilot)
        assert not screen.query_one("#alerts", DataTable).loading
        assert screen.overview is not None and len(screen.overview.alerts) == 8
        assert "ALERTS (7)  ·  Enter opens the account  ·  yours; m: all 8" in text_of(
            screen.query_one("#alerts-title", Static)
        )  # hers: Acme's seven, not 北京's complaint
        assert "If      +5 pts retention → CLV" in text_of(screen.query_one("#figures", Static))


async def test_a_failed_load_is_reported_and_stops_the_loading_indicator(
    sqlite_database: Database, dashboard_cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise RuleError("The programme settings are being changed; try again in a minute.")

    monkeypatch.setattr("kam.services.dashboard.programme_overview", refuse)
    app = dashboard_app(sqlite_database, dashboard_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        assert not screen.query_one("#body").loading
        assert notices(app) == ["The programme settings are being changed; try again in a minute."]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_snapshot_of_the_dashboard(
    snap_compare: Any, sqlite_database: Database, dashboard_cast: Cast, size: tuple[int, int]
) -> None:
    app = dashboard_app(sqlite_database, dashboard_cast.manager)

    async def loaded(pilot: Pilot[None]) -> None:
        await open_dashboard(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=loaded)


def _clv(yearly: float, r: float) -> float:
    """The simple CLV, d 10 %, H 5 years, term by term."""
    return sum(yearly * r ** (t - 1) / 1.1**t for t in range(1, 6))


async def test_the_retention_what_if_shows_the_key_accounts_clv_and_plus_minus_move_it(
    sqlite_database: Database, dashboard_cast: Cast
) -> None:
    app = dashboard_app(sqlite_database, dashboard_cast.viewer)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        # Acme alone, 500 a year at the base's retention 2/3: +5 points make it 2/3 + 0.05.
        now = _clv(500, 2 / 3)
        for points in (5, 6, 4):
            if points == 6:
                await pilot.press("plus")
            elif points == 4:
                await pilot.press("minus", "minus")
            await settle(app, pilot)
            gain = _clv(500, 2 / 3 + points / 100) - now
            figures = text_of(screen.query_one("#figures", Static))
            assert (
                f"If      +{points} pts retention → CLV +{gain:,.0f} ({gain / now * 100:+.1f} %)"
                in figures
            )
            assert "key accounts, simple model; + / - move it" in figures


async def test_an_unknown_base_retention_is_said_beside_the_clv_and_the_what_if(
    sqlite_database: Database, dashboard_cast: Cast
) -> None:
    """Nobody bought in the year before the T12M window (its lines A0, B0 and P0 gone): the
    CLV and the what-if take r = 0, and say the base's retention is unknown."""
    from sqlalchemy import text

    with sqlite_database.engine.begin() as conn:
        conn.execute(text("DELETE FROM sales_line WHERE sold_on < :d"), {"d": date(2025, 7, 1)})
    app = dashboard_app(sqlite_database, dashboard_cast.viewer)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        await settle(app, pilot)
        figures = text_of(screen.query_one("#figures", Static))
        # Acme's 500 in the first year only: 500 / 1.1 = 455
        assert "455 of key accounts" in figures
        assert "base retention unknown, taken as 0 %" in figures
        # r from 0 to 0.05: 500 x (0.05/1.21 + 0.0025/1.331 + 0.000125/1.4641
        # + 0.00000625/1.61051) = 500 x 0.0432893 = 21.64, of 454.55: +4.8 %
        assert "If      +5 pts retention → CLV +22 (+4.8 %)" in figures
        assert "key accounts, from 0 % (base unknown); + / -" in figures
        assert "simple model; + / - move it" not in figures


async def test_at_80_columns_the_what_if_takes_three_short_lines(
    sqlite_database: Database, dashboard_cast: Cast
) -> None:
    app = dashboard_app(sqlite_database, dashboard_cast.admin)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_dashboard(app, pilot)
        await pilot.press(*["minus"] * 80)  # stops at -50 points: 2/3 - 0.5 = 1/6
        await settle(app, pilot)
        loss = _clv(500, 2 / 3 - 0.5) - _clv(500, 2 / 3)
        figures = text_of(screen.query_one("#figures", Static))
        assert "If      -50 pts retention → CLV" in figures
        assert f"-{-loss:.0f} ({loss / _clv(500, 2 / 3) * 100:+.1f} %); simple CLV" in figures


@pytest.mark.parametrize(("who", "kept"), [("manager", 1), ("viewer", 0)])
async def test_the_dashboard_fits_the_lifetime_model_once_and_keeps_it_if_allowed(
    sqlite_database: Database, dashboard_cast: Cast, who: str, kept: int
) -> None:
    """No fit is stored at first: the dashboard shows the simple CLV, fits the model in the
    background and shows which model the figure comes from; a manager's fit is kept for
    every screen after, a viewer's is not."""
    from sqlalchemy import text

    app = dashboard_app(sqlite_database, getattr(dashboard_cast, who))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_dashboard(app, pilot)
        assert screen.overview is not None and not screen.overview.fit_pending
        figures = text_of(screen.query_one("#figures", Static))
        assert "simple model (`kam metrics clv` says why)" in figures  # three customers
    with sqlite_database.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM value_fit")).scalar_one() == kept


async def test_the_first_load_takes_the_figures_begun_before_the_app_and_r_computes_afresh(
    sqlite_database: Database, dashboard_cast: Cast
) -> None:
    """`kam` begins the dashboard's figures on a thread before Textual loads (screens.launch);
    the dashboard shows those on its first load, and computes its own on a reload. Here the
    early ones are a year older, so the two can be told apart."""
    from kam.services.dashboard import programme_overview
    from screens.launch import Early

    def a_year_before() -> Any:
        with sqlite_database.reading() as s:
            return programme_overview(s, as_of=date(2025, 6, 30), alerts=False)

    app = create_app(
        sqlite_database, tui(dashboard_cast.executive), as_of=AS_OF, early=Early(a_year_before)
    )
    loaded: list[date] = []

    def seen(message: object) -> None:
        if isinstance(message, DashboardScreen.Loaded):
            loaded.append(message.overview.as_of)

    async with app.run_test(size=SIZE, message_hook=seen) as pilot:
        await settle(app, pilot)
        # The early figures first; the model's fit then loads the figures again, afresh.
        assert loaded[0] == date(2025, 6, 30) and loaded[-1] == AS_OF
        assert app.early_overview is not None and app.early_overview.take() is None  # taken
        loaded.clear()
        await pilot.press("r")
        await settle(app, pilot)
        assert loaded and set(loaded) == {AS_OF}
        screen = app.screen
        assert "as of 2026-06-30" in text_of(screen.query_one("#figures", Static))


async def test_figures_begun_early_that_fail_say_so_like_any_load(
    sqlite_database: Database, dashboard_cast: Cast
) -> None:
    from screens.launch import Early

    def broken() -> Any:
        raise RuntimeError("the database went away")

    app = create_app(
        sqlite_database, tui(dashboard_cast.executive), as_of=AS_OF, early=Early(broken)
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert any("the database went away" in n for n in notices(app))
        await pilot.press("r")  # the reload computes its own
        await settle(app, pilot)
        screen = app.screen
        assert "as of 2026-06-30" in text_of(screen.query_one("#figures", Static))
