"""`kam snapshot`: refresh the lifetime-value fit and keep today's health of every open key
account (for cron)."""

from __future__ import annotations

from kam.cli import output
from kam.cli.params import AsOfOption, DryRunOption, JsonOption
from kam.rules import clock


def snapshot(
    as_of: AsOfOption = None, dry_run: DryRunOption = False, json_: JsonOption = False
) -> None:
    """Refresh the lifetime-value fit, then record every open key account's health as of
    today (or --as-of), with P(alive), for cron.

    The fit is reused while the data are unchanged. One snapshot per account per day: run
    again, that day's is rewritten. Exit 1 if refused (viewers, a read-only login), 3 if the
    database is busy.
    """
    from kam.cli.context import administering
    from kam.services.snapshots import take_snapshots

    with administering() as (database, actor):
        report = take_snapshots(database, actor, as_of=clock.on_or_today(as_of), dry_run=dry_run)
    output.show_written(report, json_=json_, said="\n".join(s.said for s in report.steps))
    if dry_run:
        output.info("Dry run: nothing was written.")
