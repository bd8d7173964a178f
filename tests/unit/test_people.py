"""The relationship map: the chart, derived last contacts, and each coverage rule with a
case that triggers it and one that does not."""

from __future__ import annotations

from datetime import date

import pytest

from db.enums import InteractionKind
from kam.database import Database
from kam.errors import InvalidData
from kam.services import complaints, contacts, interactions, people, plans
from tests.support import Cast

pytestmark = pytest.mark.today("2026-06-30")
ACME = "Acme [/b] Ltd"


def _add(database: Database, cast: Cast, name: str, **fields: object) -> int:
    with database.writing() as s:
        return contacts.add_contact(s, cast.manager, ACME, name=name, **fields).id


def _meet(database: Database, cast: Cast, day: date, *who: int) -> None:
    with database.writing() as s:
        interactions.log_interaction(s, cast.manager, ACME, kind=InteractionKind.MEETING,
                                     happened_on=day, contacts=list(who))  # fmt: skip


def _kinds(database: Database) -> list[tuple[str, str]]:
    with database.reading() as s:
        return [(f.kind, f.text) for f in people.people_map(s, ACME).findings]


def test_the_chart_and_last_contacts_come_from_the_records(database: Database, cast: Cast) -> None:
    ceo = _add(database, cast, "Chen Wei 陈伟", buying_role="decision_maker",
               communication_style="demanding", owner="mia")  # fmt: skip
    cfo = _add(database, cast, "Dana Cole", reports_to=ceo, buying_role="influencer")
    _meet(database, cast, date(2026, 6, 1), ceo)
    _meet(database, cast, date(2026, 4, 1), ceo, cfo)
    with database.reading() as s:
        chart = people.people_map(s, ACME)
    assert chart.roots == [ceo] and chart.reports == {ceo: [cfo]}
    by_id = {p.id: p for p in chart.people}
    # Chen: met 2026-06-01, every 30 days (decision maker): due 2026-07-01, not overdue
    assert (by_id[ceo].last_contact, by_id[ceo].contact_due_on, by_id[ceo].overdue) == (
        date(2026, 6, 1), date(2026, 7, 1), False)  # fmt: skip
    assert by_id[ceo].guidance == "wants results now: be brief and decisive"
    # Dana: met 2026-04-01, every 60 days (influencer): due 2026-05-31, overdue
    assert (by_id[cfo].contact_due_on, by_id[cfo].overdue) == (date(2026, 5, 31), True)
    assert by_id[cfo].reports_to == "Chen Wei 陈伟"


def test_the_chart_cannot_loop_or_leave_the_customer(database: Database, cast: Cast) -> None:
    boss = _add(database, cast, "Boss")
    report = _add(database, cast, "Report", reports_to=boss)
    with pytest.raises(InvalidData, match="cannot loop"), database.writing() as s:
        contacts.update_contact(s, cast.manager, boss, reports_to=report)
    with database.writing() as s:
        elsewhere = contacts.add_contact(s, cast.admin, "Plain Prospect GmbH", name="Far").id
    with pytest.raises(InvalidData, match="same customer"), database.writing() as s:
        contacts.update_contact(s, cast.manager, report, reports_to=elsewhere)


def test_one_name_per_person_at_a_customer_in_any_case(database: Database, cast: Cast) -> None:
    """A second 'David Berg' at the same customer made the people's export unimportable
    (the import tells people apart by name) and a reports-to by name ambiguous."""
    david = _add(database, cast, "David Berg")
    other = _add(database, cast, "Dana Cole")
    with pytest.raises(InvalidData, match=rf"David Berg \(contact {david}\) is already"):
        _add(database, cast, "DAVID BERG", title="Intern")
    with pytest.raises(InvalidData, match="already one of"), database.writing() as s:
        contacts.update_contact(s, cast.manager, other, name="david berg")
    with database.writing() as s:  # a name at another customer, or one's own again, is fine
        contacts.add_contact(s, cast.admin, "Plain Prospect GmbH", name="David Berg")
        contacts.update_contact(s, cast.manager, david, name="David Berg", title="CFO")


def test_an_owner_is_a_user_who_writes_not_a_viewer(database: Database, cast: Cast) -> None:
    with pytest.raises(InvalidData, match="owner: 'val' is a viewer, who only reads"):
        _add(database, cast, "Kim Park", owner="val")
    with pytest.raises(InvalidData, match="owner: 'val' is a viewer"), database.writing() as s:
        complaints.record_complaint(s, cast.manager, ACME, summary="Late", severity="low",
                                    owner="val")  # fmt: skip
    assert _add(database, cast, "Kim Park", owner="eve") > 0  # an executive may own one


def test_a_person_cannot_report_to_themselves(database: Database, cast: Cast) -> None:
    """It said they "already report, directly or not, to this person"."""
    boss = _add(database, cast, "Boss")
    with (
        pytest.raises(InvalidData, match=r"^reports_to: a person cannot report to themselves\.$"),
        database.writing() as s,
    ):
        contacts.update_contact(s, cast.manager, boss, reports_to=boss)


def test_a_decision_maker_without_an_owner_or_out_of_touch_is_found(
    database: Database, cast: Cast
) -> None:
    dm = _add(database, cast, "Decider", buying_role="decision_maker")
    other = _add(database, cast, "Other")
    _meet(database, cast, date(2026, 5, 1), dm, other)  # due 2026-05-31: overdue
    found = [t for k, t in _kinds(database) if k == "decision_maker"]
    assert found == [
        "decision maker Decider has no owner on our side",
        "decision maker Decider: not met since 2026-05-01 (due every 30 days)",
    ]
    with database.writing() as s:
        contacts.update_contact(s, cast.manager, dm, owner="mia")
    _meet(database, cast, date(2026, 6, 20), dm, other)
    assert [k for k, _ in _kinds(database) if k == "decision_maker"] == []


def test_a_blocker_of_high_influence_needs_a_plan_action(database: Database, cast: Cast) -> None:
    blocker = _add(database, cast, "Bea Block", stance="blocker", influence=4)
    _add(database, cast, "Low Block", stance="blocker", influence=3)  # not high: not found
    found = [t for k, t in _kinds(database) if k == "blocker"]
    assert found == ["Bea Block blocks us with influence 4 and no plan action addresses them"]
    with database.writing() as s:
        view = plans.add_goal(s, cast.manager, ACME, title="Win Bea over")
        view = plans.add_objective(s, cast.manager, view.goals[0].id, title="Bea neutral",
                                   target=1, due_on=date(2026, 9, 30))  # fmt: skip
        plans.add_action(s, cast.manager, view.objectives[0].id, title="Lunch with Bea",
                         due_on=date(2026, 7, 10), contact=blocker)  # fmt: skip
    assert [k for k, _ in _kinds(database) if k == "blocker"] == []
    # Dropped work addresses no one: the action under a dropped objective, then goal.
    objective, goal = view.objectives[0].id, view.goals[0].id
    with database.writing() as s:
        plans.update_objective(s, cast.manager, objective, dropped=True)
    assert [k for k, _ in _kinds(database) if k == "blocker"] == ["blocker"]
    with database.writing() as s:
        plans.update_objective(s, cast.manager, objective, dropped=False)
        plans.update_goal(s, cast.manager, goal, status="dropped")
    assert [k for k, _ in _kinds(database) if k == "blocker"] == ["blocker"]


def test_a_single_threaded_account_is_found(database: Database, cast: Cast) -> None:
    assert ("single_threaded", "nobody at the customer met in 180 days") in _kinds(database)
    a = _add(database, cast, "Ann")
    b = _add(database, cast, "Ben")
    _meet(database, cast, date(2026, 6, 1), a)
    assert ("single_threaded", "only Ann met in 180 days") in _kinds(database)
    for day in (2, 3, 4, 5):
        _meet(database, cast, date(2026, 6, day), a)
    _meet(database, cast, date(2026, 6, 6), b)  # Ann in 5 of 6: 83 % > 80 %
    assert ("single_threaded", "83% of the last 180 days' interactions were with Ann") in (
        _kinds(database))  # fmt: skip
    _meet(database, cast, date(2026, 6, 7), b)  # 5 of 7: 71 %
    assert [k for k, _ in _kinds(database) if k == "single_threaded"] == []


def test_the_sponsor_needs_a_counterpart(database: Database, cast: Cast) -> None:
    assert ("counterpart", "our executive sponsor has no counterpart at the customer") in (
        _kinds(database))  # fmt: skip
    ceo = _add(database, cast, "Chief")
    with database.writing() as s:
        chart = people.set_counterpart(s, cast.manager, ACME, ceo)
    assert chart.counterpart_id == ceo
    assert [k for k, _ in _kinds(database) if k == "counterpart"] == []
