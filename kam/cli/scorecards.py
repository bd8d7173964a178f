"""`kam manager scorecard` and `kam sponsor scorecard`: one table, two kinds of people."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from kam.cli import output
from kam.cli.context import administering
from kam.rules import clock

#: (heading, key) of the table for people; `care` is reviews (managers) or visits (sponsors).
COLUMNS = [
    ("{who}", "who"),
    ("Accounts", "accounts"),
    ("CLV", "clv"),
    ("CLV change", "clv_change"),
    ("T12M profit", "profit"),
    ("Profit change", "profit_change"),
    ("Green/amber/red", "health"),
    ("Overdue commitments", "overdue_commitments"),
    ("Overdue visits", "overdue_visits"),
    ("{care} on time", "on_time"),
]


def _signed(value: float) -> str:
    return f"{value:+,.0f}" if round(value) else "0"


def _change(now: float, before: float) -> str:
    """'+12,345 (+4.1 %)': the change and, against a positive before, its share."""
    change = now - before
    if before > 0:
        return f"{_signed(change)} ({change / before:+.1%})".replace("%", " %")
    return _signed(change)


def show_scorecard(
    kind: str, login: str | None, as_of: date | None, *, json_: bool, csv_: bool
) -> None:
    """Read the scorecards the user may see and print them."""
    from kam.services.scorecards import Score, read_scorecard

    when = clock.on_or_today(as_of)
    with administering() as (database, actor):
        card = read_scorecard(database, actor, kind, as_of=when, login=login)
    care = "Reviews" if kind == "manager" else "Visits"

    def for_people() -> None:
        rows: list[dict[str, Any]] = [
            {
                "who": f"{s.display_name} ({s.login})",
                "accounts": s.accounts,
                "clv": f"{s.clv:,.0f}",
                "clv_change": _change(s.clv, s.clv_before),
                "profit": f"{s.profit:,.0f}",
                "profit_change": _change(s.profit, s.profit_before),
                "health": f"{s.green}/{s.amber}/{s.red}",
                "overdue_commitments": s.overdue_commitments,
                "overdue_visits": s.overdue_visits,
                "on_time": (
                    f"{s.on_time}/{s.due} ({s.on_time_share:.0%})".replace("%", " %")
                    if s.on_time_share is not None
                    else "none due"
                ),
            }
            for s in card.scores
        ]
        who = "Manager" if kind == "manager" else "Sponsor"
        columns = [(title.format(who=who, care=care), key) for title, key in COLUMNS]
        output.print_table(rows, columns)
        sys.stdout.write(
            f"\nAs of {when.isoformat()}; open key accounts. CLV as in the key accounts area, "
            "its change against the same accounts a year before; profit after cost to serve, "
            "T12M against the twelve months before.\n"
            f"{care} on time: of those done in the T12M window or overdue now, the share done "
            "by their due date.\n"
        )
        if not card.everyone:
            sys.stdout.write(
                "You see your own scorecard; executives and admins see every manager's.\n"
            )

    output.show_list(
        card.scores,
        json_=json_,
        csv_=csv_,
        context={"as_of": when, "kind": kind, "everyone": card.everyone},
        keys=[*output.keys_of(Score), "clv_change", "profit_change", "on_time_share"],
        table=for_people,
    )
