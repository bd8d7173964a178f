"""Every role rule, allowed and refused, through the service layer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from db.enums import (
    AccountStatus,
    CommitmentStatus,
    ComplaintStatus,
    Department,
    InteractionKind,
    ReviewDecision,
    Role,
    Severity,
)
from kam.database import Database
from kam.errors import InvalidData, PermissionDenied, RuleError
from kam.identity import Actor
from kam.services import (
    accounts,
    commitments,
    complaints,
    contacts,
    customers,
    interactions,
    reviews,
    users,
)
from tests.support import Cast

pytestmark = pytest.mark.today("2026-06-30")  # the day these stories happen

Action = Callable[[Session, Actor, Cast], Any]

EDITS: dict[str, Action] = {
    "update account notes": lambda s, a, c: accounts.update_account(s, a, c.customer, reason="x"),
    "update customer": lambda s, a, c: customers.update_customer(s, a, c.customer, region="South"),
    "add contact": lambda s, a, c: contacts.add_contact(s, a, c.customer, name="Kim Park"),
    "log call": lambda s, a, c: interactions.log_interaction(
        s, a, c.customer, kind=InteractionKind.CALL, happened_on=date(2026, 3, 1)
    ),
    "add commitment": lambda s, a, c: commitments.add_commitment(
        s,
        a,
        c.customer,
        description="Price list",
        department=Department.SALES,
        due_on=date(2026, 4, 1),
    ),
    "record complaint": lambda s, a, c: complaints.record_complaint(
        s, a, c.customer, summary="Late", severity=Severity.HIGH
    ),
}


def _act(database: Database, actor: Actor, cast: Cast, action: Action) -> Any:
    with database.writing() as session:
        return action(session, actor, cast)


def _landed(database: Database, actor: Actor, cast: Cast, name: str, view: Any) -> None:
    """The edit is in the database: its record, and an audit event naming the actor."""
    from kam.services.audit import list_events

    with database.reading() as s:
        events = list_events(s)
        assert events and all(e.actor == actor.login for e in events), events
        if name == "update account notes":
            account = accounts.get_account(s, cast.customer)
            assert (account.version, account.reason, account.updated_by) == (2, "x", actor.login)
        elif name == "update customer":
            assert customers.get_customer(s, cast.customer).region == "South"
        elif name == "add contact":
            assert [c.name for c in contacts.list_contacts(s, cast.customer)] == ["Kim Park"]
        elif name == "log call":
            [logged] = interactions.list_interactions(s, cast.customer)
            assert (logged.id, logged.kind, logged.logged_by) == (view.id, "call", actor.login)
        elif name == "add commitment":
            [promise] = commitments.list_commitments(s, cast.customer)
            assert (promise.description, promise.made_by) == ("Price list", actor.login)
        else:
            [complaint] = complaints.list_complaints(s, cast.customer)
            assert (complaint.summary, complaint.owner) == ("Late", actor.login)


@pytest.mark.parametrize("name", EDITS)
def test_an_admin_edits_any_account(database: Database, cast: Cast, name: str) -> None:
    view = _act(database, cast.admin, cast, EDITS[name])
    _landed(database, cast.admin, cast, name, view)


@pytest.mark.parametrize("name", EDITS)
def test_a_manager_edits_the_accounts_they_manage(
    database: Database, cast: Cast, name: str
) -> None:
    view = _act(database, cast.manager, cast, EDITS[name])
    _landed(database, cast.manager, cast, name, view)


@pytest.mark.parametrize("action", EDITS.values(), ids=EDITS.keys())
def test_a_manager_cannot_edit_an_account_someone_else_manages(
    database: Database, cast: Cast, action: Action
) -> None:
    with pytest.raises(PermissionDenied, match="Managers edit only the key accounts they manage"):
        _act(database, cast.other_manager, cast, action)


@pytest.mark.parametrize("action", EDITS.values(), ids=EDITS.keys())
@pytest.mark.parametrize("who", ["executive", "viewer"])
def test_executives_and_viewers_cannot_edit_account_data(
    database: Database, cast: Cast, action: Action, who: str
) -> None:
    with pytest.raises(PermissionDenied, match="cannot edit account data"):
        _act(database, getattr(cast, who), cast, action)


def test_refused_edits_write_nothing(database: Database, cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        _act(database, cast.viewer, cast, EDITS["update account notes"])
    with database.reading() as s:
        assert accounts.get_account(s, cast.customer).version == 1
        from kam.services.audit import list_events

        assert list_events(s) == []


def test_an_executive_logs_a_visit_to_an_account_they_sponsor(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:
        view = interactions.log_interaction(
            s,
            cast.executive,
            cast.customer,
            kind=InteractionKind.EXECUTIVE_VISIT,
            happened_on=date(2026, 5, 2),
            summary="Roadmap agreed.",
        )
    assert view.logged_by == "eve"
    with pytest.raises(InvalidData, match="summary: an executive visit needs notes"):
        with database.writing() as s:
            interactions.log_interaction(s, cast.executive, cast.customer, summary="  ",
                                         kind=InteractionKind.EXECUTIVE_VISIT,
                                         happened_on=date(2026, 5, 3))  # fmt: skip


def test_an_executive_cannot_log_a_visit_to_an_account_they_do_not_sponsor(
    database: Database, cast: Cast
) -> None:
    with pytest.raises(PermissionDenied), database.writing() as s:
        interactions.log_interaction(
            s,
            cast.executive,
            cast.other_customer,
            kind=InteractionKind.EXECUTIVE_VISIT,
            happened_on=date(2026, 5, 2),
        )


def test_an_executive_cannot_log_an_ordinary_call_even_on_their_account(
    database: Database, cast: Cast
) -> None:
    with pytest.raises(PermissionDenied), database.writing() as s:
        interactions.log_interaction(
            s,
            cast.executive,
            cast.customer,
            kind=InteractionKind.CALL,
            happened_on=date(2026, 5, 2),
        )


def test_only_admins_add_customers(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        customers.create_customer(s, cast.admin, name="New Co")
    for who in (cast.manager, cast.executive, cast.viewer):
        with (
            pytest.raises(PermissionDenied, match="Only admins may add customers"),
            database.writing() as s,
        ):
            customers.create_customer(s, who, name=f"New Co {who.login}")


def test_managers_and_admins_nominate_executives_and_viewers_do_not(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:
        view = accounts.create_account(s, cast.manager, customer=cast.plain_customer)
    assert view.manager == "mia" and view.status == "nominated"
    for who in (cast.executive, cast.viewer):
        with pytest.raises(PermissionDenied, match="nominate"), database.writing() as s:
            accounts.create_account(s, who, customer=cast.plain_customer)


def test_a_manager_nominates_for_themselves_only(database: Database, cast: Cast) -> None:
    with (
        pytest.raises(PermissionDenied, match="only admins assign another manager"),
        database.writing() as s,
    ):
        accounts.create_account(s, cast.manager, customer=cast.plain_customer, manager="otto")
    with pytest.raises(PermissionDenied, match="sponsors"), database.writing() as s:
        accounts.create_account(s, cast.manager, customer=cast.plain_customer, sponsor="eve")


def test_an_admin_nominates_with_a_manager_and_a_sponsor(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        view = accounts.create_account(
            s, cast.admin, customer=cast.plain_customer, manager="otto", sponsor="eve"
        )
    assert (view.manager, view.sponsor) == ("otto", "eve")


def test_a_customer_already_in_the_programme_cannot_be_nominated_again(
    database: Database, cast: Cast
) -> None:
    with pytest.raises(RuleError, match="already in the programme"), database.writing() as s:
        accounts.create_account(s, cast.admin, customer=cast.customer)


def test_only_admins_reassign_manager_sponsor_or_status(database: Database, cast: Cast) -> None:
    for change in ({"manager": "otto"}, {"sponsor": None}, {"status": AccountStatus.RETIRED}):
        with pytest.raises(PermissionDenied, match="Only admins may"), database.writing() as s:
            accounts.update_account(s, cast.manager, cast.customer, **change)
    with database.writing() as s:
        view = accounts.update_account(s, cast.admin, cast.customer, manager="otto")
    assert view.manager == "otto"


def test_a_manager_sets_the_next_review_no_later_than_the_cadence_allows(
    database: Database, cast: Cast
) -> None:
    """The manager pushed their own account's review to 2035 and out of every due list."""
    # Acme: admitted 2025-01-15, never reviewed: 2025-01-15 + 180 days = 2025-07-14
    with pytest.raises(InvalidData, match=r"next_review_on: 2035-01-01 is after 2025-07-14, 180 days after its admission \(2025-01-15\)"):  # fmt: skip
        with database.writing() as s:
            accounts.update_account(s, cast.manager, cast.customer, next_review_on=date(2035, 1, 1))
    with pytest.raises(accounts.UpdateRefused, match="only an admin sets a later review"):
        with database.writing() as s:
            accounts.update_accounts(s, cast.manager, [accounts.AccountUpdate(
                1, cast.customer, None, {"next_review_on": date(2025, 7, 15)})])  # fmt: skip
    with database.writing() as s:
        accounts.update_account(s, cast.manager, cast.customer, next_review_on=date(2025, 7, 14))
        accounts.update_account(s, cast.manager, cast.customer, next_review_on=None)
        view = accounts.update_account(
            s, cast.admin, cast.customer, next_review_on=date(2035, 1, 1)
        )
    assert view.next_review_on == date(2035, 1, 1)  # an admin's to set
    with database.writing() as s:  # and the manager may bring it forward from there
        view = accounts.update_account(
            s, cast.manager, cast.customer, next_review_on=date(2034, 1, 1)
        )
    assert view.next_review_on == date(2034, 1, 1)
    with database.writing() as s:  # a review moves the limit: 2026-06-30 + 180 = 2026-12-27
        reviews.record_review(s, cast.manager, cast.customer, perceived=8, expected=8,
                              decision=ReviewDecision.RETAIN, reviewed_on=date(2026, 6, 30),
                              manual={"strategic_fit": (3, "x"), "advocacy": (3, "x"),
                                      "relationship_loyalty": (3, "x")})  # fmt: skip
    with pytest.raises(InvalidData, match="is after 2026-12-27, 180 days after its last review"):
        with database.writing() as s:
            accounts.update_account(
                s, cast.manager, cast.customer, next_review_on=date(2026, 12, 28)
            )


def test_the_manager_must_be_a_manager_and_the_sponsor_an_executive(
    database: Database, cast: Cast
) -> None:
    with pytest.raises(RuleError, match="must have the manager role"), database.writing() as s:
        accounts.update_account(s, cast.admin, cast.customer, manager="val")
    with pytest.raises(RuleError, match="must have the executive role"), database.writing() as s:
        accounts.update_account(s, cast.admin, cast.customer, sponsor="mia")


def test_status_moves_follow_the_programme(database: Database, cast: Cast) -> None:
    # Decisions with rules of their own are refused as plain updates, naming the command.
    for status, command in (
        (AccountStatus.ACTIVE, "account admit"),
        (AccountStatus.VETTING, "account assess"),
        (AccountStatus.REJECTED, "account reject"),
    ):
        with pytest.raises(RuleError, match=command), database.writing() as s:
            accounts.update_account(s, cast.admin, cast.other_customer, status=status)
    with pytest.raises(RuleError, match="cannot go from active to nominated"):
        with database.writing() as s:
            accounts.update_account(s, cast.admin, cast.customer, status=AccountStatus.NOMINATED)
    with pytest.raises(RuleError, match="account retire"), database.writing() as s:
        accounts.update_account(s, cast.admin, cast.customer, status=AccountStatus.RETIRED)
    with database.writing() as s:
        view = accounts.update_account(
            s, cast.admin, cast.customer, status=AccountStatus.UNDER_REVIEW
        )
        assert view.status == "under_review"
        view = accounts.update_account(s, cast.admin, cast.customer, status=AccountStatus.ACTIVE)
    assert view.status == "active"


def test_only_admins_manage_users(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        users.add_user(s, cast.admin, login="newbie", role=Role.VIEWER)
        users.set_role(s, cast.admin, login="newbie", role=Role.MANAGER)
    for who in (cast.manager, cast.executive, cast.viewer):
        with (
            pytest.raises(PermissionDenied, match="Only admins may add users and change roles"),
            database.writing() as s,
        ):
            users.add_user(s, who, login=f"x{who.login}", role=Role.ADMIN)
        with (
            pytest.raises(PermissionDenied, match="Only admins may add users and change roles"),
            database.writing() as s,
        ):
            users.set_role(s, who, login=who.login, role=Role.ADMIN)


def test_the_last_admin_cannot_be_demoted(database: Database, cast: Cast) -> None:
    with pytest.raises(RuleError, match="last admin"), database.writing() as s:
        users.set_role(s, cast.admin, login="ada", role=Role.VIEWER)


def test_a_role_that_cannot_hold_a_users_posts_is_refused_until_they_are_handed_on(
    database: Database, cast: Cast
) -> None:
    """Made a viewer, the sponsor stayed on the account, unable to record its visits."""
    with pytest.raises(RuleError, match=r"'eve' sponsors Acme \[/b\] Ltd, and a viewer cannot be a sponsor; give it another sponsor first"), database.writing() as s:  # fmt: skip
        users.set_role(s, cast.admin, login="eve", role=Role.VIEWER)
    with pytest.raises(RuleError, match=r"'mia' manages Acme \[/b\] Ltd.* an executive cannot be a manager"), database.writing() as s:  # fmt: skip
        users.set_role(s, cast.admin, login="mia", role=Role.EXECUTIVE)
    with database.writing() as s:  # an admin may hold both posts
        users.set_role(s, cast.admin, login="eve", role=Role.ADMIN)
        users.set_role(s, cast.admin, login="otto", role=Role.ADMIN)


def test_complaints_move_one_step_at_a_time(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        cid = complaints.record_complaint(
            s,
            cast.manager,
            cast.customer,
            summary="Damaged pallets",
            severity=Severity.MEDIUM,
            recorded_on=date(2026, 5, 28),
        ).id
    with (
        pytest.raises(RuleError, match="next step is handled, not verified"),
        database.writing() as s,
    ):
        complaints.advance_complaint(s, cast.manager, cid, to=ComplaintStatus.VERIFIED)
    with database.writing() as s:
        for step in (ComplaintStatus.HANDLED, ComplaintStatus.VERIFIED, ComplaintStatus.FED_BACK):
            view = complaints.advance_complaint(s, cast.manager, cid, to=step, on=date(2026, 6, 1))
    assert view.status == "fed_back" and view.fed_back_on == date(2026, 6, 1)
    with pytest.raises(RuleError, match="closed"), database.writing() as s:
        complaints.advance_complaint(s, cast.manager, cid, to=ComplaintStatus.HANDLED)


def test_closing_a_commitment_stamps_the_date_and_reopening_clears_it(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:
        cid = commitments.add_commitment(
            s,
            cast.manager,
            cast.customer,
            description="EDI fix",
            department=Department.OPERATIONS,
            due_on=date(2020, 1, 1),
        ).id
    with database.reading() as s:
        (only,) = commitments.list_commitments(s, cast.customer)
    assert only.overdue and only.made_by == "mia"
    with database.writing() as s:
        done = commitments.update_commitment(s, cast.manager, cid, status=CommitmentStatus.DONE)
        assert done.closed_on is not None and not done.overdue
        reopened = commitments.update_commitment(s, cast.manager, cid, status=CommitmentStatus.OPEN)
    assert reopened.closed_on is None
