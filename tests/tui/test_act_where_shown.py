"""Issue 14, the TUI: act where the problem is shown. Retire from the sheet and from the
reviews (when a review recommends it), assign sponsors and managers with a picker, change
the programme settings, see one's own accounts first, the review's findings as dashboard
alerts, keys and focus that behave, and `v` on a row not one's own saying why.

The story happens on AS_OF (2025-06-30): Acme is active (Mia's, sponsored by Eve);
北京燕京啤酒 is nominated (Otto's, no sponsor)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, OptionList, Select, Static, TextArea

from db.enums import AccountStatus, AssessmentKind, ReviewDecision, Role
from db.models import Assessment, Customer, KeyAccount, ProgrammeSetting, Review, User
from kam.database import Database
from screens.admin.settings import SettingForm, SettingsScreen
from screens.app import KamApp
from screens.areas.dashboard import DashboardScreen
from screens.areas.reviews import ReviewsScreen
from screens.areas.sponsors import SponsorsScreen
from screens.areas.vetting import VettingScreen
from screens.forms.retire_form import RetireForm
from screens.forms.staff_picker import StaffPicker
from screens.sheet.account_form import AccountForm
from screens.sheet.screen import AccountSheetScreen
from tests.support import Cast, actor_of
from tests.tui.support import SIZE, keys, make_app, notices, rows, settle, text_of

pytestmark = pytest.mark.today("2025-06-30")

ACME = "Acme [/b] Ltd"
BEER = "北京燕京啤酒"


def _status(database: Database, customer: str) -> str:
    with database.reading() as s:
        account = s.exec(select(KeyAccount).join(Customer).where(Customer.name == customer)).one()
        return account.status.value


def _recommend_retirement(database: Database, cast: Cast, *, twice: bool = True) -> None:
    """Acme's reviews: totals 40 then 45 under the threshold 60 (two in a row: retirement
    recommended, as kam.services.reviews decides), or only the last one under it."""
    with database.writing() as s:
        acme = s.exec(select(KeyAccount).join(Customer).where(Customer.name == ACME)).one()
        totals = [(date(2024, 12, 1), 40.0 if twice else 75.0, None),
                  (date(2025, 6, 1), 45.0, "retire" if twice else None)]  # fmt: skip
        for when, total, recommendation in totals:
            scored = Assessment(key_account_id=acme.id, kind=AssessmentKind.REVIEW,
                                criteria_version=1, total=total, complete=True,
                                created_by_id=cast.manager.id)  # fmt: skip
            s.add(scored)
            s.flush()
            s.add(Review(key_account_id=acme.id, assessment_id=scored.id, reviewed_on=when,
                         decision=ReviewDecision.WATCH, reviewed_by_id=cast.manager.id,
                         benchmark_json=json.dumps({"recommendation": recommendation}),
                         next_review_on=date(2025, 7, 10)))  # fmt: skip


async def _sheet(app: KamApp, pilot: object, customer: str = ACME) -> AccountSheetScreen:
    await settle(app, pilot)
    app.open_account(customer)
    await settle(app, pilot)
    assert isinstance(app.screen, AccountSheetScreen)
    return app.screen


async def _area(app: KamApp, pilot: object, key: str, row: str | None = None) -> object:
    await settle(app, pilot)
    await pilot.press(key)  # type: ignore[attr-defined]
    await settle(app, pilot)
    if row is not None:
        for table in app.screen.query(DataTable):
            names = [str(r[0]) for r in rows(table)]
            if row in names:
                table.focus()
                table.move_cursor(row=names.index(row))
                await settle(app, pilot)
                break
    return app.screen


# ---------------------------------------------------------------------- retire


async def test_an_executive_retires_an_account_from_its_sheet_with_a_reason(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.executive)
    async with app.run_test(size=SIZE) as pilot:
        await _sheet(app, pilot)
        assert keys(app)["x"] == "retire"
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, RetireForm)
        await pilot.press("ctrl+s")  # no reason: refused in the form
        await settle(app, pilot)
        assert isinstance(app.screen, RetireForm)
        app.screen.query_one("#reason", TextArea).text = "Moved its buying to Asia."
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountSheetScreen)
        assert "Key account retired; its history stays." in notices(app)
        assert "x" not in keys(app)  # a retired account is not retired again
    assert _status(sqlite_database, ACME) == "retired"


@pytest.mark.parametrize("who", ["manager", "viewer"])
async def test_those_who_may_not_retire_see_no_retire_key_on_the_sheet(
    sqlite_database: Database, sheet_cast: Cast, who: str
) -> None:
    app = make_app(sqlite_database, getattr(sheet_cast, who))
    async with app.run_test(size=SIZE) as pilot:
        await _sheet(app, pilot)
        assert "x" not in keys(app)


async def test_the_account_form_never_offers_retired(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await _sheet(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, AccountForm)
        offered = [value for _label, value in form.query_one("#status", Select)._options]
        assert offered == ["active", "under_review"]
        assert not form.query("#manager") and not form.query("#sponsor")  # the pickers do it


async def test_the_reviews_offer_retiring_when_the_last_review_recommends_it(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    _recommend_retirement(sqlite_database, sheet_cast)
    app = make_app(sqlite_database, sheet_cast.executive)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _area(app, pilot, "7", ACME)
        assert isinstance(screen, ReviewsScreen)
        assert ACME in screen.retire
        assert "retire recommended" in rows(screen.query_one("#due", DataTable))[0][-1]
        assert keys(app)["x"] == "retire"
        await pilot.press("x")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, RetireForm) and "retirement recommended" in form.why
        form.query_one("#reason", TextArea).text = "Two weak reviews."
        await pilot.press("ctrl+s")
        await settle(app, pilot)
    assert _status(sqlite_database, ACME) == "retired"


async def test_a_manager_is_told_who_retires_a_recommended_account(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    _recommend_retirement(sqlite_database, sheet_cast)
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _area(app, pilot, "7", ACME)
        assert "x" not in keys(app)
        hint = str(screen.query_one("#hint").render())  # type: ignore[attr-defined]
        assert "an executive or an admin retires it" in hint


# ---------------------------------------------------------------------- dashboard alerts


@pytest.mark.parametrize(
    ("twice", "label", "text"),
    [
        (True, "Retire?", "retirement recommended: two reviews in a row under the threshold (60)"),
        (False, "Criteria", "criteria no longer met: total 45 under the threshold (60)"),
    ],
)
async def test_the_dashboard_alerts_on_what_the_last_review_found(
    sqlite_database: Database, sheet_cast: Cast, twice: bool, label: str, text: str
) -> None:
    _recommend_retirement(sqlite_database, sheet_cast, twice=twice)
    app = make_app(sqlite_database, sheet_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(DashboardScreen())
        await settle(app, pilot)
        found = [r for r in rows(app.screen.query_one("#alerts", DataTable)) if r[0] == label]
        assert len(found) == 1 and found[0][2] == ACME and text in found[0][3]


# ---------------------------------------------------------------------- sponsor and manager


async def test_an_admin_assigns_a_sponsor_from_vetting_with_the_picker(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _area(app, pilot, "4", BEER)
        assert isinstance(screen, VettingScreen)
        assert "p assigns a sponsor" in text_of(screen.query_one("#detail", Static))
        await pilot.press("p")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, StaffPicker)
        # Eve sponsors Acme: 1 of the limit 3; Ada, an admin, is not an executive.
        assert [(c.login, c.load, c.limit) for c in picker.candidates] == [("eve", 1, 3)]
        assert "1/3" in str(picker.query_one(OptionList).get_option_at_index(0).prompt)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, VettingScreen)
        assert f"Eve Executive is now executive sponsor of {BEER}." in notices(app)
    with sqlite_database.reading() as s:
        beer = s.exec(select(KeyAccount).join(Customer).where(Customer.name == BEER)).one()
        assert beer.sponsor_id == sheet_cast.executive.id


async def test_a_name_ending_in_a_full_stop_ends_the_sentence_once(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    name = "Massive Components B.V."
    with sqlite_database.writing() as s:
        s.exec(select(Customer).where(Customer.name == BEER)).one().name = name
    app = make_app(sqlite_database, sheet_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await _area(app, pilot, "4", name)
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert f"Eve Executive is now executive sponsor of {name}" in notices(app)


async def test_the_manager_picker_shows_load_and_the_skill_warning_and_greys_the_full(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    with sqlite_database.writing() as s:
        s.add(ProgrammeSetting(key="manager_limit", value="1"))
    app = make_app(sqlite_database, sheet_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await _area(app, pilot, "4", BEER)
        await pilot.press("k")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, StaffPicker)
        by_login = {c.login: c for c in picker.candidates}
        # Otto runs 北京 (current, 1/1: still his); Mia runs Acme (1/1: full, refused).
        assert by_login["otto"].current and by_login["otto"].refusal is None
        assert by_login["mia"].refusal is not None and "at most 1" in by_login["mia"].refusal
        assert "unscored" in (by_login["otto"].warning or "")
        options = picker.query_one(OptionList)
        assert options.get_option("mia").disabled and not options.get_option("otto").disabled


async def test_sponsors_area_assigns_a_sponsor_and_v_says_whose_account_it_is(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    with sqlite_database.writing() as s:
        s.add(User(login="xavier", display_name="Xavier Exec", role=Role.EXECUTIVE))
    with sqlite_database.reading() as s:
        xavier = actor_of(s.exec(select(User).where(User.login == "xavier")).one())
    app = make_app(sqlite_database, xavier)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _area(app, pilot, "5", ACME)
        assert isinstance(screen, SponsorsScreen)
        assert "p" not in keys(app)  # executives do not assign
        await pilot.press("v")
        await settle(app, pilot)
        assert isinstance(app.screen, SponsorsScreen)  # no form: not his to record
        assert (
            f"{ACME} is sponsored by Eve Executive: only they or an admin record its visits."
            in (notices(app))
        )
    app = make_app(sqlite_database, sheet_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await _area(app, pilot, "5", ACME)
        assert keys(app)["p"] == "assign_sponsor"
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, StaffPicker)
        assert {c.login for c in app.screen.candidates} == {"eve", "xavier"}


async def test_the_sheet_assigns_the_manager_for_admins_only(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await _sheet(app, pilot)
        assert "p" not in keys(app) and "k" not in keys(app)
    app = make_app(sqlite_database, sheet_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await _sheet(app, pilot)
        await pilot.press("k")
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, StaffPicker)
        picker.query_one(OptionList).highlighted = [c.login for c in picker.candidates].index(
            "otto"
        )
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountSheetScreen)
        assert any("is now key account manager" in n for n in notices(app))
        assert any("unscored" in n for n in notices(app))  # Otto's skills: the warning
    with sqlite_database.reading() as s:
        acme = s.exec(select(KeyAccount).join(Customer).where(Customer.name == ACME)).one()
        assert acme.manager_id == sheet_cast.other_manager.id


# ---------------------------------------------------------------------- settings


async def test_an_admin_changes_a_setting_with_the_clis_checks(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_settings()
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        table = screen.query_one(DataTable)
        table.move_cursor(row=[r[0] for r in rows(table)].index("warn_below"))
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, SettingForm)
        app.screen.query_one("#value", Input).value = "30"  # above the cap 25: refused
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, SettingForm)
        assert any("above the cap 25" in n for n in notices(app))
        app.screen.query_one("#value", Input).value = "3"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, SettingsScreen)
        warn = next(r for r in rows(table) if r[0] == "warn_below")
        assert warn[1:3] == ["3", "5"]


async def test_a_setting_another_admin_changed_after_the_list_was_read_is_not_put_back(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    """The form offered the value as read and saving it replaced the other admin's, silently."""
    from kam.services.programme import set_setting

    app = make_app(sqlite_database, sheet_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_settings()
        await settle(app, pilot)
        screen = app.screen
        table = screen.query_one(DataTable)
        table.move_cursor(row=[r[0] for r in rows(table)].index("warn_below"))
        with sqlite_database.writing() as s:  # another admin, meanwhile
            set_setting(s, sheet_cast.admin, "warn_below", 2)
        await pilot.press("enter")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, SettingForm)
        form.query_one("#value", Input).value = "4"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form
        assert any("changed this programme setting (warn_below)" in n for n in notices(app))
        with sqlite_database.reading() as s:
            assert s.exec(select(ProgrammeSetting)).one().value == "2"
        await pilot.press("ctrl+s")  # again, knowing
        await settle(app, pilot)
        assert app.screen is screen
        assert next(r for r in rows(table) if r[0] == "warn_below")[1] == "4"


async def test_a_cap_below_the_active_accounts_is_refused_naming_the_forms_box(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    with sqlite_database.writing() as s:
        for account in s.exec(select(KeyAccount)).all():
            account.status = AccountStatus.ACTIVE
        s.add(ProgrammeSetting(key="warn_below", value="0"))
    app = make_app(sqlite_database, sheet_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_settings()
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=[r[0] for r in rows(table)].index("cap"))
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, SettingForm)
        app.screen.query_one("#value", Input).value = "1"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        [refusal] = [n for n in notices(app) if "cap 1 is below" in n]
        assert refusal.endswith(
            "Tick 'Even below what the programme already holds' to set it anyway."
        )
        assert "--force" not in refusal


@pytest.mark.parametrize("who", ["manager", "executive", "viewer"])
async def test_others_read_the_settings_and_are_told_why_they_may_not_change_them(
    sqlite_database: Database, sheet_cast: Cast, who: str
) -> None:
    app = make_app(sqlite_database, getattr(sheet_cast, who))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_settings()
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        assert keys(app).get("enter") != "change"
        assert "Read-only: Only admins may change programme settings" in str(
            screen.query_one("#access").render()  # type: ignore[attr-defined]
        )
        assert len(rows(screen.query_one(DataTable))) > 10


async def test_settings_is_in_the_palette(sqlite_database: Database, sheet_cast: Cast) -> None:
    app = make_app(sqlite_database, sheet_cast.viewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "settings" in [c.title for c in app.get_system_commands(app.screen)]


# ---------------------------------------------------------------------- my accounts


async def test_an_executive_sees_the_accounts_they_sponsor_first_and_m_shows_all(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.executive)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        assert [r[0] for r in rows(table)] == [ACME]  # Eve sponsors Acme only
        await pilot.press("m")
        assert [r[0] for r in rows(table)] == [ACME, BEER]


async def test_an_admin_with_no_accounts_of_their_own_sees_all_and_no_toggle(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert len(rows(app.screen.query_one(DataTable))) == 2
        assert "m" not in keys(app)


async def test_a_manager_sees_her_reviews_first(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    with sqlite_database.writing() as s:  # both are due: 北京 is made active, Otto's
        for account in s.exec(select(KeyAccount)).all():
            account.status = AccountStatus.ACTIVE
            account.next_review_on = date(2025, 7, 1)
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _area(app, pilot, "7")
        assert [r[0] for r in rows(screen.query_one("#due", DataTable))] == [ACME]  # type: ignore[attr-defined]
        await pilot.press("m")
        assert {r[0] for r in rows(screen.query_one("#due", DataTable))} == {ACME, BEER}  # type: ignore[attr-defined]


# ---------------------------------------------------------------------- keys and focus


async def test_back_from_a_sheet_opened_from_the_filter_the_table_has_the_keys(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", "a", "c", "m", "e", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AccountSheetScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.focused, DataTable)
        await pilot.press("3")  # a digit: the candidates area, not "acme3" in the filter
        await settle(app, pilot)
        assert app.current_mode == "candidates"


async def test_f1_opens_the_keys_like_the_question_mark(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.viewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert app.screen.query("HelpPanel")
        await pilot.press("f1")
        await pilot.pause()
        assert not app.screen.query("HelpPanel")


async def test_the_theme_chosen_is_used_next_time(
    sqlite_database: Database, sheet_cast: Cast, config_dir: object
) -> None:
    app = make_app(sqlite_database, sheet_cast.viewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.theme = "nord"
        await pilot.pause()
    saved = json.loads((config_dir / "preferences.json").read_text())  # type: ignore[operator]
    assert saved == {"theme": "nord"}
    again = make_app(sqlite_database, sheet_cast.viewer)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == "nord"


async def test_the_sorted_column_shows_which_way(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[0] == "Customer ▲" and labels[1] == "Status"
        await pilot.press("s")
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[:2] == ["Customer", "Status ▲"]
        await pilot.press("S")
        assert [str(c.label) for c in table.columns.values()][1] == "Status ▼"
