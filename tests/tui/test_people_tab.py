"""The People tab: the customer's organisation chart (who reports to whom), where each person
stands and who on our side holds them, who is out of touch, the coverage findings; Enter
shows a person's interactions and the commitments made to them; the account's editors add
and correct people and pair one with our sponsor; interactions name who took part.

People, interactions and commitments: tests/tui/support.py `add_people` (as of AS_OF)."""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from textual.widgets import Input, Select, SelectionList, Static, Tree

from db.models import InteractionContact, KeyAccount
from kam.database import Database
from screens.sheet.contact_form import ContactForm
from screens.sheet.interaction_form import InteractionForm
from screens.sheet.people_tab import PeopleTab
from screens.sheet.person_screen import PersonScreen
from screens.sheet.screen import AccountSheetScreen
from tests.support import Cast
from tests.tui.support import AS_OF, add_people, keys, make_app, notices, settle, text_of

SIZE = (120, 40)
ACME = "Acme [/b] Ltd"


async def open_people(app: Any, pilot: Any) -> PeopleTab:
    app.open_account(ACME)
    await settle(app, pilot)
    assert isinstance(app.screen, AccountSheetScreen)
    await pilot.press("3")
    await settle(app, pilot)
    return app.screen.query_one(PeopleTab)


def chart(tab: PeopleTab) -> list[tuple[int, str]]:
    """Each line of the chart: (depth, label as plain text)."""
    found: list[tuple[int, str]] = []

    def walk(node: Any, depth: int) -> None:
        for child in node.children:
            found.append((depth, str(child.label)))
            walk(child, depth + 1)

    walk(tab.query_one("#people-tree", Tree).root, 0)
    return found


async def to(tab: PeopleTab, pilot: Any, name: str) -> None:
    """Put the cursor on a person."""
    tree = tab.query_one("#people-tree", Tree)

    def find(node: Any) -> Any:
        if node.data is not None and node.data.name == name:
            return node
        return next((f for c in node.children if (f := find(c)) is not None), None)

    tree.move_cursor(find(tree.root))
    await pilot.pause()


async def test_the_chart_shows_who_reports_to_whom_where_they_stand_and_who_is_out_of_touch(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    add_people(sqlite_database, sheet_cast.manager)
    app = make_app(sqlite_database, sheet_cast.viewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = await open_people(app, pilot)
        (d0, chen), (d1, sato), (d2, dana) = chart(tab)
        assert (d0, d1, d2) == (0, 1, 2)  # Dana reports to Sato, who reports to Chen
        assert chen.startswith("陈伟 Chen Wei") and sato.startswith("佐藤健 Sato Ken")
        assert dana.startswith("Dana Cole")
        for line, stance, influence in ((chen, "champion", "5"), (sato, "blocker", "5"),
                                        (dana, "supporter", "2")):  # fmt: skip
            assert f"{stance}  " in line and f"  {influence}  " in line
        assert "mia" in chen and "2025-06-20" in chen and "OVERDUE" not in chen
        # Sato: no buying role, so every 90 days; last met 2025-03-01, due 2025-05-30
        assert "no owner" in sato and "2025-03-01" in sato and "OVERDUE" in sato
        header = text_of(tab.query_one("#people-header", Static))
        assert header.split()[:6] == ["Name", "Job", "title", "Stance", "Infl", "Owner"]
        count = text_of(tab.query_one("#people-count", Static))
        assert count.startswith("3 people, 1 out of touch · 2 coverage findings")
        findings = text_of(tab.query_one("#people-findings", Static))
        assert "佐藤健 Sato Ken blocks us with influence 5" in findings
        assert "our executive sponsor has no counterpart at the customer" in findings
        detail = text_of(tab.query_one("#people-detail", Static))
        assert "wants results now: be brief and decisive" in detail  # Chen, highlighted first
        await to(tab, pilot, "Dana Cole")
        detail = text_of(tab.query_one("#people-detail", Static))
        assert "reports to 佐藤健 Sato Ken" in detail and "Mia Manager (mia)" in detail
        assert not {"a", "e", "c"} & keys(app).keys()  # a viewer reads


async def test_enter_on_a_person_shows_their_interactions_and_the_commitments_made_to_them(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    add_people(sqlite_database, sheet_cast.manager)
    app = make_app(sqlite_database, sheet_cast.viewer)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = await open_people(app, pilot)
        assert keys(app)["enter"] == "open_person"
        await pilot.press("enter")  # Chen, the first in the chart
        await settle(app, pilot)
        person = app.screen
        assert isinstance(person, PersonScreen) and person.person.name == "陈伟 Chen Wei"
        met = text_of(person.query_one("#person-interactions", Static))
        assert "2025-06-20" in met and "QBR [TODO] prep" in met and "Budget call" not in met
        promised = text_of(person.query_one("#person-commitments", Static))
        assert "Price list for [b]2026[/b]" in promised and "2025-07-31" in promised
        await pilot.press("escape")
        await to(tab, pilot, "佐藤健 Sato Ken")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Budget call" in text_of(app.screen.query_one("#person-interactions", Static))
        assert "No commitments made to them." in text_of(
            app.screen.query_one("#person-commitments", Static)
        )


async def test_a_manager_adds_a_person_under_another_and_pairs_one_with_the_sponsor(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    ids = add_people(sqlite_database, sheet_cast.manager)
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = await open_people(app, pilot)
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, ContactForm)
        await pilot.press(*"Eva [b]Lind[/b]", "tab", *"Controller")
        form.query_one("#reports_to", Select).value = ids["sato"]
        form.query_one("#stance", Select).value = "skeptic"
        form.query_one("#influence", Input).value = "9"
        await pilot.press("ctrl+s")
        assert "9 is outside 1 to 5." in text_of(form.query_one("#influence-problem", Static))
        form.query_one("#influence", Input).value = "3"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Person added." in notices(app)
        lines = chart(tab)
        [(depth, eva)] = [(d, line) for d, line in lines if line.startswith("Eva [b]Lind[/b]")]
        assert depth == 2 and "skeptic" in eva and "OVERDUE" in eva  # never met

        await to(tab, pilot, "陈伟 Chen Wei")
        assert keys(app)["c"] == "set_counterpart"
        await pilot.press("c")
        await settle(app, pilot)
        assert chart(tab)[0][1].rstrip().endswith("★")
        assert keys(app)["c"] == "clear_counterpart"
        assert "no counterpart" not in text_of(tab.query_one("#people-findings", Static))
        with sqlite_database.reading() as s:
            account = s.exec(select(KeyAccount).where(KeyAccount.manager_id.is_not(None))).first()
            assert account is not None and account.counterpart_id == ids["chen"]

        await pilot.press("e")  # correcting Chen: the chart cannot loop, so those below Chen
        form = app.screen  # are not offered as whom Chen reports to
        assert isinstance(form, ContactForm)
        assert form.managers() == []  # everyone else is below Chen
        await pilot.press("escape")


async def test_an_interaction_names_who_took_part_and_their_last_contact_follows(
    sqlite_database: Database, sheet_cast: Cast
) -> None:
    ids = add_people(sqlite_database, sheet_cast.manager)
    app = make_app(sqlite_database, sheet_cast.manager)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        tab = await open_people(app, pilot)
        await pilot.press("5", "a")
        form = app.screen
        assert isinstance(form, InteractionForm)
        form.query_one("#kind", Select).value = "call"
        took_part = form.query_one("#contacts", SelectionList)
        assert [str(took_part.get_option_at_index(i).prompt) for i in range(3)] == [
            "Dana Cole", "佐藤健 Sato Ken", "陈伟 Chen Wei"]  # fmt: skip
        took_part.select(ids["sato"])
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "Interaction logged." in notices(app)
        with sqlite_database.reading() as s:
            linked = [r.contact_id for r in s.exec(select(InteractionContact)).all()]
            assert linked.count(ids["sato"]) == 2
        await pilot.press("3")
        sato = next(line for _, line in chart(tab) if line.startswith("佐藤健"))
        assert AS_OF.isoformat() in sato and "OVERDUE" not in sato
        assert "1 out of touch" not in text_of(tab.query_one("#people-count", Static))
