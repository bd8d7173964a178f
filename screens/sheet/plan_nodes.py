"""How an account plan reads on the sheet: one line per node of the plan tree (the plan,
its goals, objectives and actions) and the full details of the highlighted one. Every title,
name and note goes in as literal text; every state is a word as well as a colour."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from db.enums import ActionStatus, GoalStatus
from kam.rules import plans as rules
from kam.rules.limits import SHARES
from screens.formatting import day, first_line, safe, words

if TYPE_CHECKING:
    from typing import TypeAlias

    from kam.services.plans import ActionView, GoalView, ObjectiveView, PlanView

    #: A node of the plan tree: the plan itself (the root), a goal, an objective or an action.
    PlanNode: TypeAlias = PlanView | GoalView | ObjectiveView | ActionView

#: How each objective state reads: always the word, and a colour beside it.
STATE_STYLES: dict[str, str] = {
    rules.ON_TRACK: "green",
    rules.BEHIND: "bold yellow",
    rules.OVERDUE: "bold red",
    rules.DONE: "bold cyan",
    rules.DROPPED: "dim",
}

#: The kam figures an objective can follow, as people say them.
FIGURES: dict[str, str] = {
    "t12m_profit": "T12M profit",
    "gross_margin": "T12M gross margin",
    "revenue": "T12M revenue",
    "share_of_wallet": "share of wallet",
    "cost_to_serve": "T12M cost to serve",
    "satisfaction": "satisfaction (latest review)",
    "contacts_met_90d": "people met in 90 days",
}

OPEN_ACTIONS = (ActionStatus.PLANNED.value, ActionStatus.IN_PROGRESS.value)


def number(value: float | None) -> str:
    """A measure as people write it: 250,000, 12.5, 4, 0.25 (whole from a thousand up); a
    dash when unknown."""
    if value is None:
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def measure(value: float | None, figure: str | None) -> str:
    """An objective's measure: a share (of wallet) as a percentage, as the sheet shows it
    (30.7 %); any other as `number` writes it."""
    if figure in SHARES and value is not None:
        return f"{value * 100:.1f} %"
    return number(value)


def percent(value: float | None) -> str:
    """Progress as a whole percentage; a dash when unknown."""
    return "–" if value is None else f"{value * 100:.0f} %"


def bar(progress: float | None, width: int = 10) -> Text:
    """A progress bar with its percentage beside it ('███░░░░░░░  30 %')."""
    filled = 0 if progress is None else round(max(0.0, min(1.0, progress)) * width)
    text = Text()
    if width:
        text.append("█" * filled, style="green")
        text.append("░" * (width - filled), style="dim")
        text.append(" ")
    text.append(f"{percent(progress):>5}", style="bold")
    return text


def state_word(state: str) -> Text:
    """'on track', 'behind', 'overdue', 'done' or 'dropped', in its colour."""
    return Text(state, style=STATE_STYLES.get(state, ""))


def owner_of(a: ActionView) -> str:
    """Who does an action: a kam login, or a named person and their department."""
    if a.owner_department:
        return f"{safe(a.owner_name)} ({words(a.owner_department)})"
    return safe(a.owner) or "no owner"


# ---------------------------------------------------------------------------- one line each


def plan_label(plan: PlanView, *, may_edit: bool, loading: bool = False) -> Text:
    """The root: the plan's year, progress and standing (or that there is none yet)."""
    if loading:
        return Text("Reading the plan…", style="italic")
    if plan.id is None:
        text = Text.assemble((f"No plan for {plan.period} yet", "bold"))
        if not plan.editable:
            text.append(" · history, read-only", style="dim")
        elif may_edit:
            text.append(" · press a to add the first goal", style="dim")
        return text
    counted = [g for g in plan.goals if g.status != GoalStatus.DROPPED]
    text = Text.assemble((f"Plan {plan.period}", "bold"), "  ", bar(plan.progress))
    text.append(f" · {len(counted)} goal{'' if len(counted) == 1 else 's'}")
    if not plan.complete:
        text.append(f" (incomplete: fewer than {rules.MIN_GOALS})", style="yellow")
    if not plan.editable:
        text.append(" · history, read-only", style="dim")
    if plan.comments:
        n = len(plan.comments)
        text.append(f" · {n} comment{'' if n == 1 else 's'}", style="dim")
    return text


def goal_label(g: GoalView, *, wide: bool) -> Text:
    """A goal: title, progress, its objectives' states, owner, and its status unless open."""
    text = Text.assemble(("GOAL ", "bold"), (first_line(g.title, 40 if wide else 26), "bold"))
    text.append("  ")
    text.append_text(bar(g.progress, 10 if wide else 0))
    states = [o.state for o in g.objectives]
    for state in (rules.OVERDUE, rules.BEHIND):
        if state in states:
            text.append(" · ")
            text.append_text(state_word(f"{states.count(state)} {state}"))
    if g.status != GoalStatus.OPEN:
        text.append(f" · {g.status}", style="bold")
    if wide:
        text.append(f" · {safe(g.owner) or 'no owner'}", style="dim")
    return text


def objective_label(o: ObjectiveView, *, wide: bool) -> Text:
    """An objective: title, progress and state, current of target by the due date, and
    whether a kam figure measures it."""
    text = Text(first_line(o.title, 40 if wide else 24))
    text.append("  ")
    text.append_text(bar(o.progress, 10 if wide else 0))
    text.append(" ")
    text.append_text(state_word(o.state))
    current, target = measure(o.current, o.figure), measure(o.target, o.figure)
    text.append(f" · {current} of {target} by {day(o.due_on)}")
    if wide:
        how = f"follows {FIGURES.get(o.figure, words(o.figure))}" if o.figure else "by hand"
        text.append(f" · {how}", style="dim")
    return text


def action_label(a: ActionView, *, wide: bool) -> Text:
    """An action: title, owner, due date, status, and OVERDUE when open past its date."""
    text = Text(first_line(a.title, 40 if wide else 24))
    text.append(f" · {first_line(owner_of(a), 30 if wide else 16)}", style="dim")
    text.append(f" · due {day(a.due_on)} · ")
    if a.status == ActionStatus.DONE:
        text.append(f"done {day(a.done_on)}", style="bold cyan")
    else:
        text.append(words(a.status), style="dim" if a.status == ActionStatus.DROPPED else "")
    if a.overdue:
        text.append(" ")
        text.append(" OVERDUE ", style="bold white on red")
    return text


# ---------------------------------------------------------------------------- the details


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    return grid


def swot_lines(plan: PlanView) -> Text:
    """The situation and SWOT in two lines, cut to the width (the plan's details hold them
    in full)."""
    situation = first_line(plan.situation, 200) if plan.situation else ""
    text = Text.assemble(("Situation  ", "dim"), situation or Text("not written", style="italic"))
    text.append("\n")
    text.append("SWOT       ", style="dim")
    parts = (("S", plan.strengths), ("W", plan.weaknesses), ("O", plan.opportunities),
             ("T", plan.threats))  # fmt: skip
    if not any(items for _, items in parts):
        text.append("not written", style="italic")
        return text
    for n, (letter, items) in enumerate(parts):
        text.append(("  " if n else "") + f"{letter}: ", style="bold")
        text.append("; ".join(safe(i) for i in items) or "–")
    return text


def plan_detail(plan: PlanView) -> RenderableType:
    """The plan in full: period, situation, SWOT lists and the comments."""
    grid = _grid()
    grid.add_row("Plan", Text(f"{plan.period}: {day(plan.starts_on)} to {day(plan.ends_on)}"))
    grid.add_row("Progress", Text(f"{percent(plan.progress)} as of {day(plan.as_of)}"))
    grid.add_row("Situation", Text(safe(plan.situation) or "not written"))
    swot = (("Strengths", plan.strengths), ("Weaknesses", plan.weaknesses),
            ("Opportunities", plan.opportunities), ("Threats", plan.threats))  # fmt: skip
    for title, items in swot:
        grid.add_row(title, Text("\n".join(f"· {safe(i)}" for i in items) or "–"))
    comments = Text()
    for c in plan.comments:
        who = safe(c.by_name or c.by) or "someone"
        comments.append(f"{who}, {c.at[:10]}: ", style="bold")
        comments.append(safe(c.text) + "\n")
    grid.add_row("Comments", comments if plan.comments else Text("none yet", style="italic"))
    return grid


def goal_detail(g: GoalView) -> RenderableType:
    """A goal in full."""
    grid = _grid()
    grid.add_row("Goal", Text(safe(g.title), style="bold"))
    owner = f"{safe(g.owner_name)} ({safe(g.owner)})" if g.owner else "no owner"
    grid.add_row("Owner", Text(owner))
    grid.add_row("Status", Text(g.status))
    grid.add_row("Progress", Text(f"{percent(g.progress)}: the mean of its objectives'"))
    states = Text()
    for o in g.objectives:
        states.append_text(state_word(o.state))
        states.append(f"  {first_line(o.title, 60)}\n")
    grid.add_row("Objectives", states if g.objectives else Text("none yet", style="italic"))
    if g.carried_from_id:
        grid.add_row("Carried", Text("from last year's plan"))
    return grid


def objective_detail(o: ObjectiveView) -> RenderableType:
    """An objective in full, with how its state is decided."""
    grid = _grid()
    grid.add_row("Objective", Text(safe(o.title), style="bold"))
    if o.figure:
        grid.add_row("Measured", Text(f"by kam: {FIGURES.get(o.figure, words(o.figure))}"))
    else:
        grid.add_row("Measured", Text("by hand (u updates it)"))
    now = Text(measure(o.current, o.figure))
    if o.updated_on:
        now.append(f"  updated {day(o.updated_on)}", style="dim")
    grid.add_row("From", Text(measure(o.baseline, o.figure)))
    grid.add_row("Now", now)
    grid.add_row("Target", Text(f"{measure(o.target, o.figure)} by {day(o.due_on)}"))
    grid.add_row("Progress", Text.assemble(percent(o.progress), "  ", state_word(o.state)))
    if o.dropped_on:
        grid.add_row("Dropped", Text(f"{day(o.dropped_on)}: counts in no progress (e takes it up "
                                     "again)"))  # fmt: skip
    if o.comment:
        grid.add_row("Comment", Text(safe(o.comment)))
    grid.add_row("Rule", Text(f"on track while no more than {rules.BEHIND_BY * 100:.0f} points "
                              "behind the share of its time passed", style="dim"))  # fmt: skip
    return grid


def action_detail(a: ActionView) -> RenderableType:
    """An action in full."""
    grid = _grid()
    grid.add_row("Action", Text(safe(a.title), style="bold"))
    grid.add_row("Owner", Text(owner_of(a)))
    due = Text(day(a.due_on))
    if a.overdue:
        due.append("  OVERDUE", style="bold red")
    grid.add_row("Due", due)
    grid.add_row("Status", Text(words(a.status)))
    if a.done_on:
        grid.add_row("Done on", Text(day(a.done_on)))
    if a.contact:
        grid.add_row("With", Text(safe(a.contact)))
    if a.commitment_id:
        grid.add_row("Keeps", Text(f"commitment {a.commitment_id}"))
    return grid


def nothing_yet() -> Text:
    """What the details say before the plan has goals."""
    return Text("A plan says where the account should be by the end of the year: "
                f"{rules.MIN_GOALS} to {rules.MAX_GOALS} goals, each with measurable "
                "objectives and the actions that reach them.", style="dim")  # fmt: skip
