"""Sponsors and managers: every rule's allowed and refused path, through the service layer.

The cast (tests.conftest): Acme is active since 2025-01-15, run by mia and sponsored by
eve; 北京 is a nominee run by otto with no sponsor; Plain is not a key account. Defaults:
an executive sponsors at most 3 open accounts, a manager runs at most 5, a sponsor visit is
due every 90 days.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from db.enums import AccountStatus, InteractionKind, Role
from db.models import Customer, KeyAccount, User
from kam.database import Database
from kam.errors import ConflictError, InvalidData, NotFound, PermissionDenied, RuleError
from kam.rules import clock
from kam.services import accounts, interactions, managers, sponsors
from kam.services.audit import list_events
from kam.services.programme import set_setting
from tests.support import Cast

pytestmark = pytest.mark.today("2026-06-30")  # the day these stories happen

ACME, BEER, PLAIN = "Acme [/b] Ltd", "北京燕京啤酒", "Plain Prospect GmbH"
ALL_SKILLS = {"finance": 3, "consulting": 4, "planning": 5, "interpersonal": 3, "influence": 4}


def add_accounts(
    database: Database,
    prefix: str,
    count: int,
    *,
    sponsor: str | None = None,
    manager: str | None = None,
    status: AccountStatus = AccountStatus.ACTIVE,
    admitted_on: date | None = date(2025, 6, 1),
) -> list[str]:
    """Insert `count` customers with a key account each (directly, not through the rules)."""
    with database.writing() as s:
        ids = {u.login: u.id for u in s.exec(select(User)).all()}
        names = []
        for i in range(count):
            customer = Customer(name=f"{prefix} {i + 1}")
            s.add(customer)
            s.flush()
            s.add(
                KeyAccount(
                    customer_id=customer.id,
                    status=status,
                    sponsor_id=ids[sponsor] if sponsor else None,
                    manager_id=ids[manager] if manager else None,
                    admitted_on=admitted_on,
                )
            )
            names.append(customer.name)
    return names


def add_user(database: Database, login: str, role: Role, *, active: bool = True) -> None:
    with database.writing() as s:
        s.add(User(login=login, display_name=login.title(), role=role, active=active))


# --- sponsors: assignment ---------------------------------------------------------------------


def test_an_admin_makes_an_executive_the_sponsor_audited_and_versioned(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:
        view = sponsors.assign_sponsor(s, cast.admin, BEER, "eve")
    assert (view.sponsor, view.sponsor_name, view.version) == ("eve", "Eve Executive", 2)
    with database.reading() as s:
        events = list_events(s, entity="key_account")
    assert [(e.field, e.old, e.new, e.actor) for e in events] == [("sponsor", None, "eve", "ada")]


def test_an_executive_sponsoring_three_open_accounts_cannot_take_a_fourth(
    database: Database, cast: Cast
) -> None:
    add_accounts(database, "Sponsored", 2, sponsor="eve")  # with Acme: 3
    with (
        pytest.raises(RuleError, match=r"'eve' already sponsors 3 open key accounts") as refusal,
        database.writing() as s,
    ):
        sponsors.assign_sponsor(s, cast.admin, BEER, "eve")
    assert "an executive sponsors at most 3 (programme setting sponsor_limit)" in str(refusal.value)
    assert f"'{ACME}'" in str(refusal.value)


def test_retired_and_rejected_accounts_do_not_count_against_the_sponsor_limit(
    database: Database, cast: Cast
) -> None:
    add_accounts(database, "Open", 1, sponsor="eve")  # with Acme: 2 open
    add_accounts(database, "Retired", 1, sponsor="eve", status=AccountStatus.RETIRED)
    add_accounts(database, "Rejected", 1, sponsor="eve", status=AccountStatus.REJECTED)
    with database.writing() as s:
        view = sponsors.assign_sponsor(s, cast.admin, BEER, "eve")
    assert view.sponsor == "eve"


def test_naming_the_current_sponsor_again_at_the_limit_changes_nothing(
    database: Database, cast: Cast
) -> None:
    add_accounts(database, "Sponsored", 2, sponsor="eve")
    with database.writing() as s:
        view = sponsors.assign_sponsor(s, cast.admin, ACME, "eve")
    assert (view.sponsor, view.version) == ("eve", 1)


def test_the_sponsor_limit_follows_the_programme_setting(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        set_setting(s, cast.admin, "sponsor_limit", "1")
    with pytest.raises(RuleError, match="at most 1 "), database.writing() as s:
        sponsors.assign_sponsor(s, cast.admin, BEER, "eve")
    with database.writing() as s:
        set_setting(s, cast.admin, "sponsor_limit", "2")
        assert sponsors.assign_sponsor(s, cast.admin, BEER, "eve").sponsor == "eve"


@pytest.mark.parametrize("who", ["manager", "executive", "viewer"])
def test_only_admins_assign_sponsors(database: Database, cast: Cast, who: str) -> None:
    with (
        pytest.raises(PermissionDenied, match="Only admins may assign executive sponsors"),
        database.writing() as s,
    ):
        sponsors.assign_sponsor(s, getattr(cast, who), BEER, "eve")


def test_the_sponsor_must_be_an_active_executive_or_an_admin(
    database: Database, cast: Cast
) -> None:
    add_user(database, "gone", Role.EXECUTIVE, active=False)
    with pytest.raises(RuleError, match="must have the executive role"), database.writing() as s:
        sponsors.assign_sponsor(s, cast.admin, BEER, "mia")
    with pytest.raises(RuleError, match="^'eve' is an executive; a key account manager must"):
        with database.writing() as s:
            managers.assign_manager(s, cast.admin, BEER, "eve")
    with pytest.raises(RuleError, match="^'eve' is an executive; skills and training are kept"):
        with database.writing() as s:
            managers.set_skills(s, cast.admin, "eve", finance=3)
    with pytest.raises(RuleError, match="'gone' is not an active user"), database.writing() as s:
        sponsors.assign_sponsor(s, cast.admin, BEER, "gone")
    with pytest.raises(NotFound, match="nobody"), database.writing() as s:
        sponsors.assign_sponsor(s, cast.admin, BEER, "nobody")
    with database.writing() as s:
        assert sponsors.assign_sponsor(s, cast.admin, BEER, "ada").sponsor == "ada"


def test_a_retired_account_takes_no_new_sponsor(database: Database, cast: Cast) -> None:
    add_accounts(database, "Retired", 1, status=AccountStatus.RETIRED)
    with pytest.raises(RuleError, match="only open key accounts"), database.writing() as s:
        sponsors.assign_sponsor(s, cast.admin, "Retired 1", "eve")


def test_assigning_a_sponsor_to_a_stale_version_is_a_conflict(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:
        accounts.update_account(s, cast.admin, BEER, reason="Changed meanwhile")
    with pytest.raises(ConflictError, match="now version 2, you had version 1"):
        with database.writing() as s:
            sponsors.assign_sponsor(s, cast.admin, BEER, "eve", expected_version=1)


def test_account_updates_and_nominations_obey_the_same_sponsor_limit(
    database: Database, cast: Cast
) -> None:
    add_accounts(database, "Sponsored", 2, sponsor="eve")
    with pytest.raises(RuleError, match="sponsor_limit"), database.writing() as s:
        accounts.update_account(s, cast.admin, BEER, sponsor="eve")
    with pytest.raises(RuleError, match="sponsor_limit"), database.writing() as s:
        accounts.create_account(s, cast.admin, customer=PLAIN, sponsor="eve")
    with database.writing() as s:  # removing a sponsor is never limited
        assert accounts.update_account(s, cast.admin, ACME, sponsor=None).sponsor is None


def test_the_sponsor_list_shows_each_executive_with_accounts_against_the_limit(
    database: Database, cast: Cast
) -> None:
    add_user(database, "zed", Role.EXECUTIVE)
    add_accounts(database, "Retired", 1, sponsor="eve", status=AccountStatus.RETIRED)
    with database.writing() as s:
        sponsors.assign_sponsor(s, cast.admin, BEER, "ada")
        views = sponsors.list_sponsors(s)
    rows = [(v.login, v.role, v.accounts, v.count, v.limit) for v in views]
    assert rows == [
        ("ada", "admin", [BEER], 1, 3),  # an admin appears while sponsoring
        ("eve", "executive", [ACME], 1, 3),  # the retired account is not counted
        ("zed", "executive", [], 0, 3),
    ]


# --- sponsors: visits -------------------------------------------------------------------------


def test_the_sponsor_records_a_visit_to_their_own_account(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        view = sponsors.record_visit(
            s, cast.executive, ACME, on=date(2026, 1, 10), notes="Joint roadmap agreed."
        )
    assert (view.kind, view.happened_on, view.logged_by) == (
        "executive_visit",
        date(2026, 1, 10),
        "eve",
    )
    assert view.our_people == "Eve Executive (executive sponsor)"
    assert view.summary == "Joint roadmap agreed."
    with database.reading() as s:
        logged = interactions.list_interactions(s, ACME)
        events = list_events(s, entity="interaction")
    assert [i.id for i in logged] == [view.id]
    assert events[0].actor == "eve"


def test_an_admin_records_a_visit_on_the_sponsors_behalf(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        view = sponsors.record_visit(s, cast.admin, ACME, on=date(2026, 2, 1), notes="Dinner.")
    assert view.logged_by == "ada"
    assert view.our_people == "Eve Executive (executive sponsor)"


@pytest.mark.parametrize("who", ["manager", "other_manager", "viewer"])
def test_only_the_accounts_sponsor_or_an_admin_records_a_sponsor_visit(
    database: Database, cast: Cast, who: str
) -> None:
    with (
        pytest.raises(PermissionDenied, match="Only the account's executive sponsor or an admin"),
        database.writing() as s,
    ):
        sponsors.record_visit(s, getattr(cast, who), ACME, on=date(2026, 1, 10), notes="x")


def test_the_manager_cannot_log_an_executive_visit_in_the_sponsors_place(
    database: Database, cast: Cast
) -> None:
    """An executive visit is the sponsor visit the cadence counts from: logged as an
    interaction by the manager, it would silence the overdue-visit alert."""
    with database.writing() as s:
        visit = sponsors.record_visit(s, cast.executive, ACME, on=date(2026, 1, 10), notes="x")
    with (
        pytest.raises(PermissionDenied, match="Only the account's executive sponsor or an admin"),
        database.writing() as s,
    ):
        interactions.log_interaction(
            s, cast.manager, ACME, kind=InteractionKind.EXECUTIVE_VISIT,
            happened_on=date(2026, 3, 1),
        )  # fmt: skip
    with (
        pytest.raises(PermissionDenied, match="Only the account's executive sponsor or an admin"),
        database.writing() as s,
    ):
        interactions.update_interaction(s, cast.manager, visit.id, happened_on=date(2026, 3, 1))
    with database.writing() as s:  # their own kinds of interaction, as before
        interactions.log_interaction(
            s, cast.manager, ACME, kind=InteractionKind.VISIT, happened_on=date(2026, 3, 1)
        )
    with database.reading() as s:
        [late] = sponsors.overdue_visits(s, as_of=date(2026, 5, 1))
    assert late.last_visit == date(2026, 1, 10)


def test_an_executive_cannot_record_a_visit_to_an_account_they_do_not_sponsor(
    database: Database, cast: Cast
) -> None:
    add_accounts(database, "Other", 1, sponsor="ada")
    with (
        pytest.raises(PermissionDenied, match="are not the sponsor of 'Other 1'"),
        database.writing() as s,
    ):
        sponsors.record_visit(s, cast.executive, "Other 1", on=date(2026, 1, 10), notes="x")


def test_a_sponsor_visit_needs_a_sponsor_an_open_account_and_a_past_date(
    database: Database, cast: Cast
) -> None:
    add_accounts(database, "Retired", 1, sponsor="eve", status=AccountStatus.RETIRED)
    with pytest.raises(RuleError, match="has no executive sponsor"), database.writing() as s:
        sponsors.record_visit(s, cast.admin, BEER, on=date(2026, 1, 10), notes="x")
    with pytest.raises(RuleError, match="is retired"), database.writing() as s:
        sponsors.record_visit(s, cast.admin, "Retired 1", on=date(2026, 1, 10), notes="x")
    tomorrow = clock.today() + timedelta(days=1)
    with pytest.raises(InvalidData, match="is in the future"), database.writing() as s:
        sponsors.record_visit(s, cast.executive, ACME, on=tomorrow, notes="x")
    with database.writing() as s:  # today is fine
        sponsors.record_visit(s, cast.executive, ACME, on=clock.today(), notes="x")


@pytest.mark.parametrize("notes", ["", "  \n ", "\u200f\t"])
def test_a_sponsor_visit_needs_notes(database: Database, cast: Cast, notes: str) -> None:
    """Notes are required (the CLI's --notes): blank ones were recorded as a visit."""
    with (
        pytest.raises(InvalidData, match=r"^notes: a sponsor visit needs notes on what"),
        database.writing() as s,
    ):
        sponsors.record_visit(s, cast.executive, ACME, on=clock.today(), notes=notes)
    with database.reading() as s:
        acme = s.exec(select(Customer).where(Customer.name == ACME)).one().id
        assert sponsors.last_visits(s, [acme], as_of=clock.today()) == {}


# --- sponsors: overdue visits -----------------------------------------------------------------


def test_an_account_never_visited_is_overdue_90_days_after_its_admission(
    database: Database, cast: Cast
) -> None:
    # Acme was admitted on 2025-01-15: 16 + 28 + 31 + 15 = 90 days later is 2025-04-15.
    with database.reading() as s:
        on_the_day = sponsors.overdue_visits(s, as_of=date(2025, 4, 15))
        day_after = sponsors.overdue_visits(s, as_of=date(2025, 4, 16))
    assert on_the_day == []
    [late] = day_after
    assert (late.customer, late.sponsor, late.sponsor_name) == (ACME, "eve", "Eve Executive")
    assert (late.last_visit, late.days_since) == (None, None)
    assert (late.due_on, late.days_overdue) == (date(2025, 4, 15), 1)


def test_a_sponsor_visit_restarts_the_90_day_clock(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        sponsors.record_visit(s, cast.executive, ACME, on=date(2025, 11, 1), notes="First")
        sponsors.record_visit(s, cast.executive, ACME, on=date(2026, 1, 10), notes="Second")
        # A call is not a sponsor visit.
        interactions.log_interaction(
            s, cast.manager, ACME, kind=InteractionKind.CALL, happened_on=date(2026, 4, 20)
        )
    with database.reading() as s:
        # 2026-01-10 + 90 days: 21 (Jan) + 28 (Feb) + 31 (Mar) + 10 (Apr) = 2026-04-10.
        assert sponsors.overdue_visits(s, as_of=date(2026, 4, 10)) == []
        [late] = sponsors.overdue_visits(s, as_of=date(2026, 5, 1))
    assert late.last_visit == date(2026, 1, 10)
    assert late.days_since == 111  # 21 + 28 + 31 + 30 + 1
    assert (late.due_on, late.days_overdue) == (date(2026, 4, 10), 21)


def test_visits_after_the_as_of_date_do_not_count(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        sponsors.record_visit(s, cast.executive, ACME, on=date(2025, 11, 1), notes="Old")
        sponsors.record_visit(s, cast.executive, ACME, on=date(2026, 3, 1), notes="Later")
    with database.reading() as s:
        [late] = sponsors.overdue_visits(s, as_of=date(2026, 2, 15))
    # 2025-11-01 + 90 = 2026-01-30 (29 + 31 + 30); 2026-02-15 is 16 days later.
    assert (late.last_visit, late.due_on, late.days_overdue) == (
        date(2025, 11, 1),
        date(2026, 1, 30),
        16,
    )


def test_overdue_lists_active_accounts_worst_first_and_skips_nominees_and_retired(
    database: Database, cast: Cast
) -> None:
    add_accounts(database, "Unsponsored", 1, admitted_on=date(2025, 3, 1))
    add_accounts(
        database, "Reviewed", 1, sponsor="eve", status=AccountStatus.UNDER_REVIEW,
        admitted_on=date(2025, 9, 1),
    )  # fmt: skip
    add_accounts(
        database, "Retired", 1, sponsor="eve", status=AccountStatus.RETIRED,
        admitted_on=date(2024, 1, 1),
    )  # fmt: skip
    with database.reading() as s:
        views = sponsors.overdue_visits(s, as_of=date(2026, 1, 1))
    # Due: Unsponsored 2025-05-30, Acme 2025-04-15, Reviewed 2025-11-30 (+90 days each).
    assert [(v.customer, v.sponsor, v.due_on, v.days_overdue) for v in views] == [
        (ACME, "eve", date(2025, 4, 15), 261),
        ("Unsponsored 1", None, date(2025, 5, 30), 216),
        ("Reviewed 1", "eve", date(2025, 11, 30), 32),
    ]


def test_the_visit_cadence_follows_the_programme_setting(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        set_setting(s, cast.admin, "visit_days", "30")
        sponsors.record_visit(s, cast.executive, ACME, on=date(2026, 1, 10), notes="x")
    with database.reading() as s:
        [late] = sponsors.overdue_visits(s, as_of=date(2026, 2, 10))
    assert (late.due_on, late.days_overdue) == (date(2026, 2, 9), 1)


# --- managers: skills and training --------------------------------------------------------------


def test_an_admin_scores_a_managers_skills_and_only_the_given_ones_change(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:
        managers.set_skills(s, cast.admin, "mia", finance=4, consulting=2)
        view = managers.set_skills(s, cast.admin, "mia", consulting=3, planning=5)
    assert view.skills == {
        "finance": 4,
        "consulting": 3,
        "planning": 5,
        "interpersonal": None,
        "influence": None,
    }
    with database.reading() as s:
        events = list_events(s, entity="manager_profile")
    assert [(e.field, e.old, e.new, e.actor) for e in reversed(events)] == [
        ("finance", None, "4", "ada"),
        ("consulting", None, "2", "ada"),
        ("consulting", "2", "3", "ada"),
        ("planning", None, "5", "ada"),
    ]


@pytest.mark.parametrize(
    "scores, message",
    [
        ({"finance": 0}, "Invalid skills: finance"),
        ({"influence": 6}, "Invalid skills: influence"),
        ({"charm": 5}, "Invalid skills: charm"),
        ({"planning": None}, "Invalid skills: planning"),
        ({}, "Give at least one skill score"),
    ],
)
def test_skill_scores_are_whole_numbers_from_1_to_5(
    database: Database, cast: Cast, scores: dict[str, int | None], message: str
) -> None:
    with pytest.raises(InvalidData, match=message), database.writing() as s:
        managers.set_skills(s, cast.admin, "mia", **scores)


@pytest.mark.parametrize("who", ["manager", "executive", "viewer"])
def test_only_admins_score_skills_and_record_training(
    database: Database, cast: Cast, who: str
) -> None:
    actor = getattr(cast, who)
    with pytest.raises(PermissionDenied, match="Only admins"), database.writing() as s:
        managers.set_skills(s, actor, "mia", finance=5)
    with pytest.raises(PermissionDenied, match="Only admins"), database.writing() as s:
        managers.add_training(s, actor, "mia", course="Value selling", on=date(2026, 3, 1))


def test_skills_and_training_are_kept_for_managers_only(database: Database, cast: Cast) -> None:
    with pytest.raises(RuleError, match="kept for key account managers"), database.writing() as s:
        managers.set_skills(s, cast.admin, "eve", finance=4)
    with pytest.raises(RuleError, match="kept for key account managers"), database.writing() as s:
        managers.add_training(s, cast.admin, "val", course="KAM 101", on=date(2026, 3, 1))


def test_an_admin_records_a_managers_training_audited(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        view = managers.add_training(
            s, cast.admin, "mia", course="  Value selling ", on=date(2026, 3, 1), note="Passed"
        )
    assert (view.login, view.course, view.taken_on, view.note) == (
        "mia",
        "Value selling",
        date(2026, 3, 1),
        "Passed",
    )
    with database.reading() as s:
        [event] = list_events(s, entity="training_record")
    assert event.field == "(created)" and '"course": "Value selling"' in (event.new or "")
    with pytest.raises(InvalidData, match="course"), database.writing() as s:
        managers.add_training(s, cast.admin, "mia", course=" ", on=date(2026, 3, 1))


# --- managers: assignment -----------------------------------------------------------------------


def test_assigning_an_unscored_manager_works_with_a_warning_naming_every_skill(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:
        result = managers.assign_manager(s, cast.admin, BEER, "mia")
    assert (result.account.manager, result.account.version) == ("mia", 2)
    assert result.warning == (
        "Mia Manager (mia) has finance unscored, consulting unscored, planning unscored, "
        "interpersonal unscored, influence unscored; a key account manager should score at "
        "least 3 in every skill (see `kam manager skills`)."
    )
    assert result.to_dict()["warning"] == result.warning
    assert result.to_dict()["manager"] == "mia"


def test_assigning_a_manager_with_a_skill_under_3_warns_about_that_skill(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:
        managers.set_skills(s, cast.admin, "mia", **{**ALL_SKILLS, "influence": 2})
        result = managers.assign_manager(s, cast.admin, BEER, "mia")
    assert result.account.manager == "mia"
    assert result.warning is not None
    assert result.warning.startswith("Mia Manager (mia) has influence 2; ")


def test_assigning_a_manager_scoring_3_or_more_everywhere_gives_no_warning(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:
        managers.set_skills(s, cast.admin, "mia", **ALL_SKILLS)
        result = managers.assign_manager(s, cast.admin, BEER, "mia")
    assert (result.account.manager, result.warning) == ("mia", None)
    with database.reading() as s:
        events = list_events(s, entity="key_account")
    assert [(e.field, e.old, e.new) for e in events] == [("manager", "otto", "mia")]


def test_a_manager_running_five_open_accounts_cannot_take_a_sixth(
    database: Database, cast: Cast
) -> None:
    add_accounts(database, "Managed", 4, manager="mia")  # with Acme: 5
    add_accounts(database, "Retired", 2, manager="mia", status=AccountStatus.RETIRED)
    with (
        pytest.raises(RuleError, match=r"'mia' already manages 5 open key accounts") as refusal,
        database.writing() as s,
    ):
        managers.assign_manager(s, cast.admin, BEER, "mia")
    assert "a manager manages at most 5 (programme setting manager_limit)" in str(refusal.value)
    with database.writing() as s:  # the account they already run is no change
        assert managers.assign_manager(s, cast.admin, ACME, "mia").account.version == 1


def test_a_manager_under_the_limit_takes_another_account(database: Database, cast: Cast) -> None:
    add_accounts(database, "Managed", 3, manager="mia")  # with Acme: 4
    with database.writing() as s:
        assert managers.assign_manager(s, cast.admin, BEER, "mia").account.manager == "mia"


def test_the_manager_limit_follows_the_programme_setting_in_every_door(
    database: Database, cast: Cast
) -> None:
    with database.writing() as s:
        set_setting(s, cast.admin, "manager_limit", "1")
    with pytest.raises(RuleError, match="manager_limit"), database.writing() as s:
        managers.assign_manager(s, cast.admin, BEER, "mia")
    with pytest.raises(RuleError, match="manager_limit"), database.writing() as s:
        accounts.update_account(s, cast.admin, BEER, manager="mia")
    with pytest.raises(RuleError, match="manager_limit"), database.writing() as s:
        # A manager at their limit cannot nominate another account for themselves.
        accounts.create_account(s, cast.manager, customer=PLAIN)


@pytest.mark.parametrize("who", ["manager", "executive", "viewer"])
def test_only_admins_assign_managers(database: Database, cast: Cast, who: str) -> None:
    with (
        pytest.raises(PermissionDenied, match="Only admins may assign key account managers"),
        database.writing() as s,
    ):
        managers.assign_manager(s, getattr(cast, who), BEER, "mia")


def test_the_manager_must_be_an_active_manager(database: Database, cast: Cast) -> None:
    add_user(database, "left", Role.MANAGER, active=False)
    with pytest.raises(RuleError, match="must have the manager role"), database.writing() as s:
        managers.assign_manager(s, cast.admin, BEER, "eve")
    with pytest.raises(RuleError, match="'left' is not an active user"), database.writing() as s:
        managers.assign_manager(s, cast.admin, BEER, "left")


def test_manager_profiles_show_skills_training_and_load_against_the_limit(
    database: Database, cast: Cast
) -> None:
    add_accounts(database, "Managed", 2, manager="mia")
    add_accounts(database, "Retired", 1, manager="mia", status=AccountStatus.RETIRED)
    with database.writing() as s:
        managers.set_skills(s, cast.admin, "mia", **ALL_SKILLS)
        managers.add_training(s, cast.admin, "mia", course="Finance for KAMs", on=date(2025, 5, 1))
        managers.add_training(s, cast.admin, "mia", course="Value selling", on=date(2026, 3, 1))
        views = managers.manager_profiles(s)
    assert [v.login for v in views] == ["mia", "otto"]  # admins appear only while managing
    mia, otto = views
    assert (mia.accounts, mia.load, mia.limit, mia.warning) == (
        [ACME, "Managed 1", "Managed 2"],
        3,
        5,
        None,
    )
    assert mia.skills == ALL_SKILLS
    assert [t.course for t in mia.trainings] == ["Value selling", "Finance for KAMs"]
    assert mia.to_dict()["trainings"][0]["taken_on"] == "2026-03-01"
    assert (otto.accounts, otto.load) == ([BEER], 1)
    assert otto.warning is not None and "finance unscored" in otto.warning


def test_the_picker_lists_who_may_sponsor_with_their_load_and_why_others_may_not(
    database: Database, cast: Cast
) -> None:
    """Eve sponsors Acme plus 2 more = 3 of 3: full for 北京, so refused with the rule's
    sentence; Xena sponsors nothing (0 of 3); an inactive executive is not listed."""
    from kam.services.staffing import candidates

    add_accounts(database, "Eve", 2, sponsor="eve")
    add_user(database, "xena", Role.EXECUTIVE)
    add_user(database, "gone", Role.EXECUTIVE, active=False)
    with database.reading() as s:
        found = candidates(s, BEER, as_="sponsor")
        on_acme = candidates(s, ACME, as_="sponsor")
    assert [(c.login, c.load, c.limit, c.current) for c in found] == [
        ("xena", 0, 3, False),
        ("eve", 3, 3, False),
    ]
    assert found[0].refusal is None
    assert found[1].refusal is not None and "at most 3" in found[1].refusal
    # On Acme, Eve is the current sponsor: already hers, so not refused.
    assert next(c for c in on_acme if c.login == "eve").refusal is None


def test_the_manager_picker_carries_the_skill_warning(database: Database, cast: Cast) -> None:
    from kam.services.staffing import candidates

    with database.writing() as s:
        managers.set_skills(s, cast.admin, "mia", **ALL_SKILLS)
    with database.reading() as s:
        found = {c.login: c for c in candidates(s, BEER, as_="manager")}
    assert set(found) == {"mia", "otto"}  # managers only (admins manage only when holding)
    assert found["mia"].warning is None and found["mia"].load == 1
    assert found["otto"].current and "unscored" in (found["otto"].warning or "")
