"""The account sheet: opened from the list, read on tabs, edited through forms by its manager,
read-only (keys absent) for everyone else, and honest about conflicts."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, OptionList, Select, Static, TabbedContent, Tree

from db.enums import InteractionKind
from db.models import AuditEvent, Commitment, Complaint, Contact, Interaction, KeyAccount
from kam.database import Database
from kam.services.accounts import update_account
from kam.services.interactions import log_interaction
from screens.forms.staff_picker import StaffPicker
from screens.sheet.account_form import AccountForm
from screens.sheet.commitment_form import CommitmentForm
from screens.sheet.complaint_form import ComplaintForm
from screens.sheet.interaction_form import InteractionForm
from screens.sheet.people_tab import PeopleTab
from screens.sheet.screen import AccountSheetScreen
from screens.widgets.trend_chart import TrendChart
from tests.support import Cast
from tests.tui.support import AS_OF, keys, make_app, notices, rows, settle, text_of, tui

SIZE = (120, 40)


async def open_sheet(app, pilot, customer: str = "Acme [/b] Ltd") -> AccountSheetScreen:  # type: ignore[no-untyped-def]
    app.open_account(customer)
    await settle(app, pilot)
    assert isinstance(app.screen, AccountSheetScreen)
    return app.screen


async def test_a_manager_opens_an_account_from_the_list_and_reads_its_tabs(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")  # the first row: Acme [/b] Ltd
        await settle(app, pilot)
        sheet = app.screen
        assert isinstance(sheet, AccountSheetScreen)
        assert sheet.customer == "Acme [/b] Ltd"
        banner = str(sheet.query_one("#banner", Static).render())
        assert "Acme [/b] Ltd" in banner and "active" in banner
        who = text_of(sheet.query_one("#who", Static))
        assert "Mia Manager (mia)" in who and "Eve Executive (eve)" in who
        assert "[TODO] plan the QBR" in who
        # The figures are computed as of AS_OF: T12M profit = (80k+90k) - (50k+50k) - 8k.
        assert sheet.worth is not None and sheet.worth.profit == 62_000
        assert sheet.worth.as_of == AS_OF
        assert "62,000" in text_of(sheet.query_one("#worth", Static))
        standing = text_of(sheet.query_one("#standing", Static))
        assert "Health" in standing and "Last review" in standing and "none yet" in standing
        assert "Plan           No plan for 2025 yet." in standing  # the overview names the plan
        worth = text_of(sheet.query_one("#worth", Static))
        assert "simple" in worth and "Tier / stage" in worth  # three customers: no model

        await pilot.press("4")
        assert sheet.query_one(TabbedContent).active == "metrics"
        years = sheet.query_one(TrendChart).years
        assert [y.year for y in years] == [2023, 2024, 2025]
        assert years[1].cost_to_serve == 5_000 and years[2].partial

        for key, tab in zip("12356789", ["overview", "plan", "people", "interactions",
                                        "commitments", "complaints", "reviews", "history"],
                            strict=True):  # fmt: skip
            await pilot.press(key)
            assert sheet.query_one(TabbedContent).active == tab
        await pilot.press("escape")
        assert not isinstance(app.screen, AccountSheetScreen)


async def test_a_manager_adds_a_commitment_through_the_form_and_it_is_in_the_database(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        await pilot.press("6", "a")
        form = app.screen
        assert isinstance(form, CommitmentForm)
        await pilot.press(*"Send the [TODO] plan", "tab")
        # The department: open the list, move to the first department, choose it.
        await pilot.press("enter", "down", "enter", "tab")
        assert form.query_one("#department", Select).value == "sales"
        await pilot.press(*"2025-07-31", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is sheet
        assert "Commitment added." in notices(app)
        with sqlite_database.reading() as s:
            row = s.exec(select(Commitment)).one()
            assert (row.description, row.department, row.due_on) == (
                "Send the [TODO] plan",
                "sales",
                date(2025, 7, 31),
            )
            event = s.exec(select(AuditEvent).where(AuditEvent.entity == "commitment")).one()
            assert (event.actor, event.door) == ("mia", "tui")
        table = sheet.query_one("#commitments-table", DataTable)
        assert rows(table)[0][2] == "Send the [TODO] plan"  # shown literally


async def test_the_commitment_form_says_what_is_wrong_as_you_type_and_saves_nothing(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_sheet(app, pilot)
        await pilot.press("6", "a", *"x", "backspace")
        form = app.screen
        assert "is required" in str(form.query_one("#description-problem", Static).render())
        await pilot.press(*"Call back", "tab", "tab", *"2025-02-30")
        problem = str(form.query_one("#due_on-problem", Static).render())
        assert problem == "'2025-02-30' is not a date; write it as YYYY-MM-DD."
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form  # still open, nothing saved
        assert "2 fields to fix" in str(form.query_one("#problems", Static).render())
        assert "Choose the department" in str(
            form.query_one("#department-problem", Static).render()
        )
        with sqlite_database.reading() as s:
            assert s.exec(select(Commitment)).all() == []
        # Something was typed: the first Escape says it is not saved, the second closes.
        await pilot.press("escape")
        assert app.screen is form
        assert any(n.startswith("Not saved: Escape again closes") for n in notices(app))
        await pilot.press("escape")
        assert isinstance(app.screen, AccountSheetScreen)


async def test_a_refusal_from_the_service_is_shown_with_its_sentence_and_the_form_stays(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_sheet(app, pilot)
        await pilot.press("6", "a", *"Ship samples", "tab", "enter", "down", "enter", "tab")
        await pilot.press(*"2025-08-01", "tab", *"nobody", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, CommitmentForm)
        assert notices(app).count("No kam user has the login 'nobody'.") == 1
        with sqlite_database.reading() as s:
            assert s.exec(select(Commitment)).all() == []


async def test_a_viewer_reads_the_sheet_without_any_editing_key(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.viewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        assert "read-only" in app.sub_title
        access = sheet.query_one("#access", Static)
        assert access.display and "Read-only" in str(access.render())
        for tab in "123567":
            await pilot.press(tab)
            assert not {"a", "e"} & keys(app).keys()
        await pilot.press("a", "e")
        assert app.screen is sheet  # nothing opened, nothing failed
        assert not [n for n in notices(app) if "Refused" in n]


async def test_a_manager_of_another_account_has_no_editing_keys_on_this_one(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.other_manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        await pilot.press("6")
        assert "a" not in keys(app)
        assert "Mia Manager" in str(sheet.query_one("#access", Static).render())


async def test_the_sponsoring_executive_logs_an_executive_visit_and_nothing_else(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.executive)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_sheet(app, pilot)
        await pilot.press("6")
        assert "a" not in keys(app)
        await pilot.press("5")
        assert keys(app)["a"] == "log_interaction"
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, InteractionForm)
        assert form.query_one("#kind", Select).value == "executive_visit"
        # Our side starts as whoever logs it; typing in the field replaces it.
        assert form.query_one("#our_people", Input).value == app.actor.display_name
        await pilot.press("tab", "tab", *"Eve", "tab", *"Their CEO", "tab", *"Roadmap", "ctrl+s")
        await settle(app, pilot)
        with sqlite_database.reading() as s:
            visit = s.exec(select(Interaction)).one()
            assert (visit.kind, visit.happened_on, visit.our_people) == (
                "executive_visit",
                AS_OF,
                "Eve",
            )


async def test_the_manager_logs_every_kind_but_the_sponsors_executive_visit(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_sheet(app, pilot)
        await pilot.press("5", "a")
        form = app.screen
        assert isinstance(form, InteractionForm)
        assert set(form.kinds) == set(InteractionKind) - {InteractionKind.EXECUTIVE_VISIT}


async def test_e_corrects_an_executive_visit_for_its_sponsor_and_not_its_manager(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    """The manager's e opened a form on the sponsor's visit that could only be refused."""
    from kam.services.sponsors import record_visit

    with sqlite_database.writing() as s:
        record_visit(s, tui(sheet_cast.executive), "Acme [/b] Ltd", on=date(2025, 6, 1),
                     notes="Roadmap")  # fmt: skip
        log_interaction(s, tui(sheet_cast.manager), "Acme [/b] Ltd", kind="call",
                        happened_on=AS_OF)  # fmt: skip
    for who, on_the_visit in ((sheet_cast.manager, False), (sheet_cast.executive, True)):
        app = make_app(sqlite_database, who)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await open_sheet(app, pilot)
            await pilot.press("5")  # the call first (the newest), then the visit
            assert ("e" in keys(app)) == (who is sheet_cast.manager)
            await pilot.press("down")
            assert ("e" in keys(app)) == on_the_visit


async def test_a_conflict_is_told_the_typed_change_stays_and_saving_again_replaces_theirs(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    """The form closed on a conflict: what was typed was lost."""
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        assert sheet.records is not None and sheet.records.account.version == 1
        # Someone else changes the account underneath.
        with sqlite_database.writing() as s:
            update_account(s, sheet_cast.admin, "Acme [/b] Ltd", reason="Changed by Ada")
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, AccountForm)
        await pilot.press("tab", *"0.8", "ctrl+s")  # the second field: retention override
        await settle(app, pilot)
        assert app.screen is form
        assert form.query_one("#retention_override", Input).value == "0.8"
        told = [n for n in notices(app) if "was changed by Ada Admin" in n]
        assert len(told) == 1 and "save again to replace their change" in told[0]
        with sqlite_database.reading() as s:
            account = s.exec(select(KeyAccount).where(KeyAccount.manager_id.is_not(None))).first()
            assert account is not None and account.retention_override is None
        await pilot.press("ctrl+s")  # again, knowing
        await settle(app, pilot)
        assert app.screen is sheet
        assert "Key account saved." in notices(app)
        assert sheet.records.account.version == 3
        assert sheet.records.account.retention_override == 0.8
        assert "Changed by Ada" in text_of(sheet.query_one("#who", Static))  # theirs, untouched
        assert sheet.worth is not None and sheet.worth.clv_retention_source == "override"


async def test_a_manager_adds_and_corrects_a_contact(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        await pilot.press("3", "a", *"[@click=app.quit]Li Wei[/]", "tab", *"CFO", "tab")
        await pilot.press(*"li.wei@", "ctrl+s")
        assert "name@example.com" in str(app.screen.query_one("#email-problem", Static).render())
        await pilot.press(*"example.com", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is sheet and app.is_running
        chart = sheet.query_one("#people-tree", Tree)
        [person] = chart.root.children
        assert person.data is not None and person.data.job_title == "CFO"
        assert str(person.label).startswith("[@click=app.quit]Li Wei[/]")  # shown literally
        await pilot.press("e")
        await pilot.press("tab", *"Chief Financial Officer", "ctrl+s")
        await settle(app, pilot)
        with sqlite_database.reading() as s:
            contact = s.exec(select(Contact)).one()
            assert (contact.name, contact.job_title) == (
                "[@click=app.quit]Li Wei[/]",
                "Chief Financial Officer",
            )


async def test_a_commitment_is_marked_done_and_a_complaint_goes_through_every_step(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        await pilot.press("6", "a", *"Fix the invoice", "tab", "enter", "down", "enter", "tab")
        await pilot.press(*"2025-06-01", "ctrl+s")
        await settle(app, pilot)
        assert rows(sheet.query_one("#commitments-table", DataTable))[0][1] == "OVERDUE"
        assert keys(app)["e"] == "close_commitment"
        await pilot.press("e", "ctrl+s")  # the first choice offered for an open one: done
        await settle(app, pilot)
        with sqlite_database.reading() as s:
            assert s.exec(select(Commitment)).one().status == "done"
        assert keys(app)["e"] == "reopen_commitment"  # a closed one is reopened, not closed
        await pilot.press("e")
        assert app.screen.query_one("#status", Select).value == "open"
        await pilot.press("escape")

        await pilot.press("7", "a", *"Late delivery", "tab", "enter", "down", "down", "enter")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        for _ in range(3):
            await pilot.press("e", "ctrl+s")
            await settle(app, pilot)
        with sqlite_database.reading() as s:
            complaint = s.exec(select(Complaint)).one()
            assert (complaint.severity, complaint.status) == ("medium", "fed_back")
            assert complaint.handled_on == complaint.fed_back_on == AS_OF
        assert "e" not in keys(app)  # fed back: no step left to advance it to
        await pilot.press("e")
        assert app.screen is sheet


async def test_a_manager_corrects_a_commitment_added_with_the_wrong_date_and_department(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        await pilot.press("6", "a", *"Fix the invoce", "tab", "enter", "down", "enter", "tab")
        await pilot.press(*"2025-06-01", "ctrl+s")
        await settle(app, pilot)
        assert keys(app)["c"] == "correct_commitment"
        await pilot.press("c")
        form = app.screen
        assert isinstance(form, CommitmentForm)
        assert form.query_one("#due_on", Input).value == "2025-06-01"
        assert form.query_one("#department", Select).value == "sales"
        await pilot.press("ctrl+u", *"Fix the invoice", "tab", "enter", "down", "enter")
        await pilot.press("tab", "ctrl+u", *"2025-07-15", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is sheet and "Commitment corrected." in notices(app)
        with sqlite_database.reading() as s:
            commitment = s.exec(select(Commitment)).one()
            assert (commitment.description, commitment.department) == (
                "Fix the invoice",
                "operations",
            )
            assert (commitment.due_on, commitment.status) == (date(2025, 7, 15), "open")
        first = rows(sheet.query_one("#commitments-table", DataTable))[0]
        assert first[0] == "2025-07-15" and first[1] == "open" and first[2] == "Fix the invoice"


async def test_a_manager_corrects_a_fed_back_complaint_and_gives_it_its_resolution(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        await pilot.press("7", "a", *"Late delivry", "tab", "enter", "down", "enter", "ctrl+s")
        await settle(app, pilot)
        for _ in range(3):  # fed back without a word of what was done
            await pilot.press("e", "ctrl+s")
            await settle(app, pilot)
        assert "e" not in keys(app) and keys(app)["c"] == "correct_complaint"
        await pilot.press("c")
        form = app.screen
        assert isinstance(form, ComplaintForm)
        assert form.query_one("#summary", Input).value == "Late delivry"
        assert form.query_one("#severity", Select).value == "low"
        await pilot.press("ctrl+u", *"Late delivery", "tab", "enter", "down", "down", "enter")
        await pilot.press("tab", *"Re-sent by express; credit note issued", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is sheet and "Complaint corrected." in notices(app)
        with sqlite_database.reading() as s:
            complaint = s.exec(select(Complaint)).one()
            assert (complaint.summary, complaint.severity) == ("Late delivery", "high")
            assert complaint.resolution == "Re-sent by express; credit note issued"
            assert complaint.status == "fed_back"
            fields = {e.field for e in s.exec(select(AuditEvent)) if e.entity == "complaint"}
            assert {"summary", "severity", "resolution"} <= fields
        assert "Re-sent by express" in text_of(sheet.query_one("#complaints-detail", Static))

    for reader in (sheet_cast.executive, sheet_cast.viewer, sheet_cast.other_manager):
        app = make_app(sqlite_database, reader)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            sheet = await open_sheet(app, pilot)
            await pilot.press("7")
            assert rows(sheet.query_one("#complaints-table", DataTable))
            assert "c" not in keys(app)
            await pilot.press("c")
            assert app.screen is sheet


async def test_hostile_notes_are_shown_literally_and_do_not_run(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    hostile = "[@click=app.quit]x[/] and [TODO] plan, Acme [/b] Ltd"
    with sqlite_database.writing() as s:
        log_interaction(
            s, tui(sheet_cast.manager), "Acme [/b] Ltd", kind="call", happened_on=AS_OF,
            summary=hostile, their_people="[bold red]loud",
        )  # fmt: skip
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        await pilot.press("5")
        cells = rows(sheet.query_one("#interactions-table", DataTable))[0]
        assert cells[3] == "[bold red]loud"
        assert cells[4] == hostile[:29] + "…"  # cut to the column, in full below
        assert hostile in text_of(sheet.query_one("#interactions-detail", Static))
        await pilot.click("#interactions-table", offset=(60, 1))
        await pilot.press("8")
        history = rows(sheet.query_one("#history-table", DataTable))
        assert history and history[0][3].startswith("interaction")
        assert app.is_running


async def test_an_admin_moves_an_account_under_review_and_hands_it_to_another_manager(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.admin)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, AccountForm)
        await pilot.press("enter", "down", "enter")
        assert form.query_one("#status", Select).value == "under_review"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is sheet
        await pilot.press("k")  # the manager: chosen from those eligible, not typed
        await settle(app, pilot)
        picker = app.screen
        assert isinstance(picker, StaffPicker)
        picker.query_one(OptionList).highlighted = [c.login for c in picker.candidates].index(
            "otto"
        )
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is sheet and sheet.records is not None
        account = sheet.records.account
        assert (account.status, account.manager, account.version) == ("under_review", "otto", 3)
        with sqlite_database.reading() as s:
            fields = {e.field for e in s.exec(select(AuditEvent)).all()}
            assert {"status", "manager"} <= fields


async def test_a_manager_corrects_the_date_of_a_logged_interaction(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    with sqlite_database.writing() as s:
        log_interaction(
            s, tui(sheet_cast.manager), "Acme [/b] Ltd", kind="visit", happened_on=AS_OF,
            summary="Plant tour",
        )  # fmt: skip
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        await pilot.press("5", "e")
        form = app.screen
        assert isinstance(form, InteractionForm)
        assert form.query_one("#kind", Select).disabled  # the kind of a logged one stays
        await pilot.press(*"2025-06-28", "ctrl+s")
        await settle(app, pilot)
        assert app.screen is sheet
        with sqlite_database.reading() as s:
            visit = s.exec(select(Interaction)).one()
            assert (visit.kind, visit.happened_on, visit.summary) == (
                "visit",
                date(2025, 6, 28),
                "Plant tour",
            )


async def test_a_record_changed_by_someone_else_while_its_form_is_open_is_not_overwritten(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    """The form sent every field: saving it put back what the other had changed, silently."""
    from kam.services.interactions import update_interaction

    with sqlite_database.writing() as s:
        log_interaction(
            s, tui(sheet_cast.manager), "Acme [/b] Ltd", kind="visit", happened_on=AS_OF,
            summary="Plant tour",
        )  # fmt: skip
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        await pilot.press("5", "e")
        form = app.screen
        assert isinstance(form, InteractionForm)
        with sqlite_database.writing() as s:  # the admin corrects the summary meanwhile
            visit_id = s.exec(select(Interaction)).one().id
            update_interaction(s, sheet_cast.admin, visit_id, summary="Plant tour and audit")
        await pilot.press(*"2025-06-28", "ctrl+s")
        await settle(app, pilot)

        assert app.screen is form  # what was typed is still there
        assert form.query_one("#happened_on", Input).value == "2025-06-28"
        told = [n for n in notices(app) if "changed this interaction (summary)" in n]
        assert len(told) == 1 and told[0].startswith("ada changed")
        with sqlite_database.reading() as s:
            visit = s.exec(select(Interaction)).one()
            assert (visit.happened_on, visit.summary) == (AS_OF, "Plant tour and audit")
        await pilot.press("ctrl+s")  # again, knowing: theirs is replaced
        await settle(app, pilot)
        assert app.screen is sheet
        with sqlite_database.reading() as s:
            visit = s.exec(select(Interaction)).one()
            assert visit.happened_on == date(2025, 6, 28)


async def test_a_record_changed_after_the_sheet_was_read_is_not_put_back_by_its_form(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    """The form shows the values the sheet read: saving it put back the old summary."""
    from kam.services.interactions import update_interaction

    with sqlite_database.writing() as s:
        log_interaction(
            s, tui(sheet_cast.manager), "Acme [/b] Ltd", kind="visit", happened_on=AS_OF,
            summary="Plant tour",
        )  # fmt: skip
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_sheet(app, pilot)
        with sqlite_database.writing() as s:  # the admin corrects the summary meanwhile
            visit_id = s.exec(select(Interaction)).one().id
            update_interaction(s, sheet_cast.admin, visit_id, summary="Plant tour and audit")
        await pilot.press("5", "e")
        form = app.screen
        assert isinstance(form, InteractionForm)
        assert form.value("summary") == "Plant tour"  # as the sheet read it
        await pilot.press(*"2025-06-28", "ctrl+s")
        await settle(app, pilot)

        assert app.screen is form
        told = [n for n in notices(app) if "changed this interaction (summary)" in n]
        assert len(told) == 1 and told[0].startswith("ada changed")
        with sqlite_database.reading() as s:
            visit = s.exec(select(Interaction)).one()
            assert (visit.happened_on, visit.summary) == (AS_OF, "Plant tour and audit")


async def test_the_history_names_an_admin_who_acted_as_the_manager(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    from dataclasses import replace

    as_mia = replace(tui(sheet_cast.manager), real_login="ada")  # ada ran kam as mia
    with sqlite_database.writing() as s:
        update_account(s, as_mia, "Acme [/b] Ltd", reason="On Mia's behalf")
        update_account(s, tui(sheet_cast.manager), "Acme [/b] Ltd", reason="Mia herself")
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        await pilot.press("9")
        history = rows(sheet.query_one("#history-table", DataTable))
        assert [(r[1], r[4], r[6]) for r in history] == [
            ("mia", "reason", "Mia herself"),
            ("ada as mia", "reason", "On Mia's behalf"),
        ]


async def test_the_overview_follows_a_visit_logged_and_a_promise_added_on_other_tabs(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    app = make_app(sqlite_database, sheet_cast.admin)  # an admin logs the sponsor's visit
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        standing = text_of(sheet.query_one("#standing", Static))
        assert "no sponsor visit in the 486 days" in standing
        assert "Sponsor visit  never" in standing and "0 commitments" in standing
        await pilot.press("5", "a", "enter", "end", "enter")  # an executive visit
        app.screen.query_one("#summary").focus()
        await pilot.press(*"Roadmap", "ctrl+s")
        await settle(app, pilot)
        assert "Interaction logged." in notices(app)
        await pilot.press("6", "a", *"Call back", "tab", "enter", "down", "enter", "tab")
        await pilot.press(*"2025-07-31", "ctrl+s")
        await settle(app, pilot)
        await pilot.press("1")
        standing = text_of(sheet.query_one("#standing", Static))
        assert "no sponsor visit" not in standing
        assert "Sponsor visit  2025-06-30" in standing and "1 commitment," in standing


async def test_the_interactions_name_the_people_ticked_and_those_named_as_text(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    from tests.tui.support import add_people

    add_people(sqlite_database, sheet_cast.manager)
    with sqlite_database.writing() as s:
        log_interaction(
            s, tui(sheet_cast.manager), "Acme [/b] Ltd", kind="call", happened_on=AS_OF,
            contacts=[], their_people="[b]Their[/b] buyer",
        )  # fmt: skip
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        await pilot.press("5")
        theirs = [r[3] for r in rows(sheet.query_one("#interactions-table", DataTable))]
        assert theirs == ["[b]Their[/b] buyer", "Dana Cole, 陈伟 Chen Wei", "佐藤健 Sato Ken"]


async def test_a_promise_is_recorded_as_made_to_one_of_the_customers_people(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    from tests.tui.support import add_people

    people = add_people(sqlite_database, sheet_cast.manager)
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_sheet(app, pilot)
        await pilot.press("6", "a", *"Send samples", "tab", "enter", "down", "enter", "tab")
        await pilot.press(*"2025-08-01", "tab", "tab")
        form = app.screen
        assert isinstance(form, CommitmentForm)
        assert form.focused is form.query_one("#contact", Select)
        await pilot.press("enter", "down", "enter", "ctrl+s")  # the first by name: Dana Cole
        await settle(app, pilot)
        assert "Commitment added." in notices(app)
        with sqlite_database.reading() as s:
            made = s.exec(select(Commitment).where(Commitment.description == "Send samples")).one()
            assert made.contact_id == people["dana"]


async def test_a_record_just_added_has_the_cursor_so_e_edits_it(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    from tests.tui.support import add_people

    add_people(sqlite_database, sheet_cast.manager)
    with sqlite_database.writing() as s:
        for n in range(3):
            log_interaction(s, tui(sheet_cast.manager), "Acme [/b] Ltd", kind="call",
                            happened_on=date(2025, 5, 1 + n), summary=f"Call {n}")  # fmt: skip
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        # An interaction dated before the others: it lands below them, the cursor on it.
        await pilot.press("5", "a", "enter", "down", "enter", "tab", *"2025-01-02")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        added = sheet._highlighted("interactions")
        assert added is not None and added.happened_on == date(2025, 1, 2)
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, InteractionForm) and form.interaction == added
        await pilot.press("escape")
        # A promise due last among them.
        await pilot.press("6", "a", *"Late one", "tab", "enter", "down", "enter", "tab")
        await pilot.press(*"2026-01-31", "ctrl+s")
        await settle(app, pilot)
        table = sheet.query_one("#commitments-table", DataTable)
        assert table.row_count == 2 and table.cursor_row == 1
        assert sheet._highlighted("commitments").description == "Late one"
        # A complaint, and a person at the customer.
        await pilot.press("7", "a", *"Noise", "tab", "enter", "down", "enter", "ctrl+s")
        await settle(app, pilot)
        assert sheet._highlighted("complaints").summary == "Noise"
        await pilot.press("3", "a", *"Zoe Young", "ctrl+s")
        await settle(app, pilot)
        assert sheet.query_one("#people-tab", PeopleTab).highlighted().name == "Zoe Young"


@pytest.mark.today("2025-06-30")
async def test_a_date_the_service_refuses_is_told_at_its_field_in_the_forms_words(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    from screens.sheet.complaint_advance_form import ComplaintAdvanceForm
    from screens.sheet.complaint_form import ComplaintForm

    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_sheet(app, pilot)
        await pilot.press("5", "a", "enter", "down", "enter", "tab", *"2025-07-02", "ctrl+s")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, InteractionForm)
        problem = text_of(form.query_one("#happened_on-problem", Static))
        assert problem.startswith("2025-07-02 is in the future (today is 2025-06-30)")
        assert "1 field to fix" in text_of(form.query_one("#problems", Static))
        assert form.focused is form.query_one("#happened_on", Input)
        await pilot.press("escape", "escape")

        await pilot.press("7", "a", *"Noise", "tab", "enter", "down", "enter", "tab")
        await pilot.press(*"2025-07-02", "ctrl+s")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ComplaintForm)
        assert "is in the future" in text_of(form.query_one("#recorded_on-problem", Static))
        await pilot.press("home", "ctrl+k", *"2025-06-20", "ctrl+s")
        await settle(app, pilot)
        await pilot.press("e", *"2025-06-01", "ctrl+s")  # handled before it was recorded
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, ComplaintAdvanceForm)
        problem = text_of(form.query_one("#on-problem", Static))
        assert problem.startswith("2025-06-01 is before the complaint was recorded (2025-06-20)")
        # No refusal named a service's field, as a notification or anywhere.
        assert not [n for n in notices(app) if "_on" in n]


async def test_a_long_record_is_cut_with_an_ellipsis_and_shown_in_full_below_its_table(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    from db.enums import ComplaintStatus
    from kam.services.complaints import advance_complaint, record_complaint

    summary = "Walked the [b]new[/b] line with their COO; " + "lots said " * 12 + "THE END"
    with sqlite_database.writing() as s:
        mia = tui(sheet_cast.manager)
        log_interaction(s, mia, "Acme [/b] Ltd", kind="visit", happened_on=AS_OF,
                        summary=f"Short first line\n{summary}")  # fmt: skip
        log_interaction(s, mia, "Acme [/b] Ltd", kind="call", happened_on=AS_OF,
                        summary=summary)  # fmt: skip
        complaint = record_complaint(s, mia, "Acme [/b] Ltd", summary="Late", severity="low")
        advance_complaint(s, mia, complaint.id, to=ComplaintStatus.HANDLED,
                          resolution="Rerouted the trucks; " + "and more " * 10 + "DONE")  # fmt: skip
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sheet = await open_sheet(app, pilot)
        await pilot.press("5")
        table = sheet.query_one("#interactions-table", DataTable)
        [long, short] = [r[4] for r in rows(table)]
        assert long.endswith("…") and "THE END" not in long
        assert short == "Short first line…"  # more lines follow
        detail = text_of(sheet.query_one("#interactions-detail", Static))
        assert "THE END" in detail and "[b]new[/b]" in detail  # in full, literally
        await pilot.press("down")
        detail = text_of(sheet.query_one("#interactions-detail", Static))
        assert "Short first line" in detail and "THE END" in detail

        await pilot.press("7")
        assert rows(sheet.query_one("#complaints-table", DataTable))[0][5].endswith("…")
        assert "DONE" in text_of(sheet.query_one("#complaints-detail", Static))
        await pilot.press("9")
        history = sheet.query_one("#history-table", DataTable)
        at = next(i for i, r in enumerate(rows(history)) if r[4] == "resolution")
        history.move_cursor(row=at)
        await pilot.pause()
        assert rows(history)[at][6].endswith("…")
        assert "DONE" in text_of(sheet.query_one("#history-detail", Static))


async def test_a_promise_or_complaint_corrected_after_a_change_since_the_sheet_was_read_is_refused(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    """c on a commitment put back the description the sheet had read over the admin's
    correction made meanwhile; the complaint's correction is guarded alike."""
    from kam.services.commitments import add_commitment, update_commitment
    from kam.services.complaints import record_complaint, update_complaint

    with sqlite_database.writing() as s:
        mia = tui(sheet_cast.manager)
        promise = add_commitment(s, mia, "Acme [/b] Ltd", description="Send samples",
                                 department="sales", due_on=date(2025, 7, 31))  # fmt: skip
        complaint = record_complaint(s, mia, "Acme [/b] Ltd", summary="Late", severity="low")
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await open_sheet(app, pilot)
        with sqlite_database.writing() as s:  # the admin corrects both meanwhile
            update_commitment(s, sheet_cast.admin, promise.id, description="Send 3 samples")
            update_complaint(s, sheet_cast.admin, complaint.id, summary="Late twice")
        for tab, field, kind in (("6", "due_on", "commitment"), ("7", "severity", "complaint")):
            await pilot.press(tab, "c")
            form = app.screen
            assert isinstance(form, CommitmentForm | ComplaintForm), kind
            if field == "due_on":
                await pilot.press("tab", "tab", "ctrl+u", *"2025-08-15", "ctrl+s")
            else:
                await pilot.press("tab", "enter", "down", "enter", "ctrl+s")
            await settle(app, pilot)
            assert app.screen is form, kind
            assert any(f"changed this {kind}" in n for n in notices(app)), kind
            await pilot.press("escape", "escape")  # drop what was typed
            await settle(app, pilot)
            assert not isinstance(app.screen, CommitmentForm | ComplaintForm), kind
    with sqlite_database.reading() as s:
        assert s.get(Commitment, promise.id).description == "Send 3 samples"
        assert s.get(Complaint, complaint.id).summary == "Late twice"
