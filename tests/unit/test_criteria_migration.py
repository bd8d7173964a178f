"""Migration 0007: scores hold decimals, and an existing criteria set gets a new version
with the new scale's descriptions and the minimum_profit knock-out (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, bindparam, text
from sqlalchemy.exc import IntegrityError
from sqlmodel.sql.sqltypes import UTCDateTime

from db.migrate import current_revision, downgrade, head_revision, upgrade
from kam.database import Database
from kam.services import criteria
from kam.services.audit import list_events, verify_chain

OLD = "as a quintile of the active base."
#: Version 1 as revision 0006 held it: the old default descriptions, an admin's own metric
#: criterion described by quintile, and one whose description the admin rewrote.
VERSION_1 = [
    ("profit_contribution", f"T12M profit after cost to serve, {OLD}", 20, "metric", "profit",
     None, False),
    ("above_break_even", "T12M profit after cost to serve is above zero.", 10, "metric",
     "profit", 0.0, True),
    ("wallet_share", "Share of wallet, by quintile.", 5, "metric", "share_of_wallet", None, False),
    ("forward_clv", "Our own words for CLV.", 20, "metric", "clv", None, False),
    ("advocacy", "Will act as a reference (1-5).", 10, "manual", None, None, False),
]  # fmt: skip
WHEN = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def at_0006_with_a_scored_set(engine: Engine) -> None:
    """Version 1 of the criteria and a nominee's manual score of 4 against it, in the
    tables as revision 0006 has them."""
    from db.enums import AccountStatus, AssessmentKind

    upgrade(engine, "0006")
    rows = [
        ("INSERT INTO user_account (login, display_name, title, role, active, created_at) "
         "VALUES ('ada', 'Ada', '', 'admin', true, :at)", {}),
        ("INSERT INTO customer (name, industry, region, created_at, updated_at) "
         "VALUES ('Acme', '', '', :at, :at)", {}),
        ("INSERT INTO key_account (customer_id, status, nominated_on, reason, "
         "admitted_by_override, version, created_at, updated_at) VALUES (1, :status, "
         "'2026-11-01', '', false, 1, :at, :at)", {"status": AccountStatus.VETTING.value}),
        ("INSERT INTO assessment (key_account_id, kind, criteria_version, complete, "
         "knock_out_failed, rationale, override, override_reason, created_by_id, created_at) "
         "VALUES (1, :kind, 1, false, false, '', false, '', 1, :at)",
         {"kind": AssessmentKind.VETTING.value}),
    ] + [
        ("INSERT INTO criterion (set_version, name, description, weight, kind, metric, "
         "threshold, knock_out, created_at) VALUES (1, :n, :d, :w, :k, :m, :t, :ko, :at)",
         {"n": name, "d": description, "w": weight, "k": kind, "m": metric, "t": threshold,
          "ko": knock_out})
        for name, description, weight, kind, metric, threshold, knock_out in VERSION_1
    ] + [
        ("INSERT INTO assessment_score (assessment_id, criterion_id, score, comment) "
         "SELECT 1, id, 4, 'Refers us' FROM criterion WHERE name = 'advocacy'", {}),
    ]  # fmt: skip
    with engine.begin() as conn:
        for statement, values in rows:
            query = text(statement)
            if ":at" in statement:
                query = query.bindparams(bindparam("at", type_=UTCDateTime()))
                values = {"at": WHEN} | values
            conn.execute(query, values)


def test_upgrading_adds_a_version_with_the_new_descriptions_and_the_knock_out(
    blank: Engine,
) -> None:
    from kam.identity import Actor
    from kam.services import audit

    at_0006_with_a_scored_set(blank)
    database = Database(blank)
    with database.writing() as s:  # an event before the upgrade: the new one chains after it
        audit.record(s, Actor(1, "ada", "Ada", "admin"), entity="customer", entity_id=1,  # type: ignore[arg-type]
                     customer_id=1, field="name", old="Acme", new="Acme")  # fmt: skip

    upgrade(blank)

    assert current_revision(blank) == head_revision()
    with database.reading() as s:
        views = criteria.list_criteria(s)
        descriptions = {v.name: v.description for v in views}
        report = verify_chain(s)
        (event,) = list_events(s, entity="criteria")
    assert {v.set_version for v in views} == {2}
    assert [v.name for v in views] == [name for name, *_ in VERSION_1] + ["minimum_profit"]
    assert descriptions["profit_contribution"] == (
        "T12M profit after cost to serve, against the current key accounts: 1 at their lowest, "
        "3 at their median, 5 at or above their top quartile."
    )
    assert descriptions["wallet_share"].startswith("Share of wallet (T12M revenue / estimated")
    assert descriptions["forward_clv"] == "Our own words for CLV."  # said nothing of quintiles
    assert descriptions["above_break_even"] == VERSION_1[1][1]
    knock_out = views[-1]
    assert (knock_out.weight, knock_out.knock_out, knock_out.threshold_setting) == (
        0, True, "min_profit",
    )  # fmt: skip
    assert knock_out.description == next(
        d["description"] for d in criteria.DEFAULTS if d["name"] == "minimum_profit"
    )
    assert report.intact and report.events == 2
    assert (event.entity_id, event.field, event.old) == (2, "(new version)", "1")
    assert "minimum_profit" in (event.new or "")
    with blank.connect() as conn:  # version 1 stays, as the assessment was scored against it
        old = conn.execute(text("SELECT description FROM criterion WHERE set_version = 1 "
                                "AND name = 'profit_contribution'")).scalar()  # fmt: skip
        score = conn.execute(text("SELECT score FROM assessment_score")).scalar()
    assert old == VERSION_1[0][1] and score == 4.0


def test_a_database_without_criteria_gets_the_new_defaults_at_first_use(blank: Engine) -> None:
    upgrade(blank)
    with Database(blank).writing() as s:
        views = criteria.list_criteria(s)
    assert {v.set_version for v in views} == {1} and len(views) == len(criteria.DEFAULTS)


def test_scores_hold_one_decimal_within_0_to_5_and_only_knock_outs_weigh_0(
    blank: Engine,
) -> None:
    at_0006_with_a_scored_set(blank)
    upgrade(blank)
    with blank.begin() as conn:
        conn.execute(text("UPDATE assessment_score SET score = 3.4"))
        assert conn.execute(text("SELECT score FROM assessment_score")).scalar() == 3.4
    # The rebuilt tables keep their other constraints, and foreign keys are enforced again.
    for statement in ("UPDATE assessment_score SET score = 5.1",
                      "UPDATE criterion SET weight = 0 WHERE name = 'advocacy'",
                      "UPDATE criterion SET kind = 'vibes'",
                      "UPDATE assessment_score SET criterion_id = 999"):  # fmt: skip
        with pytest.raises(IntegrityError), blank.begin() as conn:
            conn.execute(text(statement))


def test_downgrading_drops_the_unused_knock_out_and_upgrades_again(blank: Engine) -> None:
    at_0006_with_a_scored_set(blank)
    upgrade(blank)

    downgrade(blank, "0006")

    assert current_revision(blank) == "0006"
    with blank.connect() as conn:
        names = conn.execute(text("SELECT name FROM criterion WHERE set_version = 2")).scalars()
        assert "minimum_profit" not in list(names)
    upgrade(blank)  # version 3 now, the knock-out back in it
    with Database(blank).reading() as s:
        assert criteria.list_criteria(s)[-1].name == "minimum_profit"


def test_downgrading_is_refused_while_a_score_has_decimals(blank: Engine) -> None:
    at_0006_with_a_scored_set(blank)
    upgrade(blank)
    with blank.begin() as conn:
        conn.execute(text("UPDATE assessment_score SET score = 3.4"))

    with pytest.raises(RuntimeError, match="1 scores are fractional"):
        downgrade(blank, "0006")
    assert current_revision(blank) == head_revision()
