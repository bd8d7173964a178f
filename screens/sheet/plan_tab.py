"""The account sheet's Plan tab: this fiscal year's plan as a tree (the plan, its goals, their
objectives, their actions), the situation and SWOT in short above it, and the highlighted
node in full below. Its manager and admins edit it through forms; executives comment."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Static, Tree

from kam.rules import plans as rules
from kam.rules.permissions import Action
from screens.base import KamScreenMixin
from screens.sheet import plan_nodes as nodes

if TYPE_CHECKING:
    from textual.events import Resize
    from textual.screen import Screen

    from kam.services.plans import ActionView, GoalView, ObjectiveView, PlanView
    from kam.views import AccountView, ContactView
    from screens.sheet.objective_form import Suggestion
    from screens.sheet.plan_nodes import PlanNode

#: Each editing action: the permission it needs, and the kind of node it acts on (None: any).
PLAN_ACTIONS: dict[str, tuple[Action, str | None]] = {
    "add_goal": (Action.EDIT_PLAN, "PlanView"),
    "add_objective": (Action.EDIT_PLAN, "GoalView"),
    "add_action": (Action.EDIT_PLAN, "ObjectiveView"),
    "add_sibling_action": (Action.EDIT_PLAN, "ActionView"),
    "edit_goal": (Action.EDIT_PLAN, "GoalView"),
    "edit_objective": (Action.EDIT_PLAN, "ObjectiveView"),
    "edit_action": (Action.EDIT_PLAN, "ActionView"),
    "update_progress": (Action.EDIT_PLAN, "ObjectiveView"),
    "complete_action": (Action.EDIT_PLAN, "ActionView"),
    "edit_text": (Action.EDIT_PLAN, None),
    "comment": (Action.COMMENT_PLAN, None),
}


def _key(key: str, action: str, description: str, tooltip: str, *, show: bool = True) -> Binding:
    return Binding(key, action, description, id=f"sheet.plan.{action}", tooltip=tooltip, show=show)


class PlanTab(KamScreenMixin, Vertical):
    """The plan of a fiscal year (this one unless `[`/`]` chose another); keys offered exactly
    when the rule allows (EDIT_PLAN, COMMENT_PLAN) and the year is not history."""

    BINDINGS: ClassVar[list[BindingType]] = [
        _key("a", "add_goal", "Add goal", "Add a goal to the plan (at most five)."),
        _key("a", "add_objective", "Add objective", "Add a measurable objective to this goal."),
        _key("a", "add_action", "Add action", "Add an action that moves this objective."),
        _key("a", "add_sibling_action", "Add action", "Add another action to this objective."),
        _key("e", "edit_goal", "Edit goal", "Change the goal's title, owner or status."),
        _key(
            "e",
            "edit_objective",
            "Edit objective",
            "Change the title, target or due date, or drop it.",
        ),
        _key("e", "edit_action", "Edit action", "Change the action's status, due date or owner."),
        _key("u", "update_progress", "Record progress", "Record where the objective stands now."),
        _key("d", "complete_action", "Done", "Mark the highlighted action done today."),
        _key("c", "comment", "Comment", "Comment on the plan."),
        _key("s", "edit_text", "Situation/SWOT", "Write the situation and the SWOT."),
        _key(
            "left_square_bracket", "earlier_year", "Year −1", "Show the year before.", show=False
        ),  # fmt: skip
        _key("right_square_bracket", "later_year", "Year +1", "Show the year after.", show=False),
    ]

    class Loaded(Message):
        """The plan was read (for the year `shift` years from this one)."""

        def __init__(self, plan: PlanView, shift: int, seen: int) -> None:
            super().__init__()
            self.plan = plan
            self.shift = shift
            self.seen = seen
            """The newest audit event when the plan was read."""

    class Saved(Message):
        """A change without a form was accepted."""

        def __init__(self, what: str) -> None:
            super().__init__()
            self.what = what

    class Changed(Message):
        """The plan changed: the sheet reads its records again (history, coverage)."""

    def __init__(self, customer: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.customer = customer
        """The customer's name, as the services look it up."""
        self.account: AccountView | None = None
        """The account (set by the sheet when its records are read): whose rule applies."""
        self.people: list[ContactView] = []
        """The customer's people (set with the account): whom an action may address."""
        self.plan: PlanView | None = None
        """The plan as last read."""
        self.seen: int | None = None
        """The newest audit event when the plan was read (what its edit forms saw)."""
        self.shift = 0
        """Years from this one (`[` goes back, `]` forward)."""
        self.suggestion: Suggestion | None = None
        """An objective to offer once the plan and the account are read (from the whitespace
        matrix): the objective form opens on the plan's first goal, filled in."""
        self._this_year: int | None = None
        self._wide = True
        self._added: tuple[str, int] | None = None
        """The node just added (kind, id): the cursor goes to it once the plan is read."""

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        """The situation and SWOT in short, the tree, the highlighted node's details."""
        yield Static("", id="plan-text")
        tree: Tree[PlanNode] = Tree(Text("Reading the plan…"), id="plan-tree")
        tree.auto_expand = False
        tree.guide_depth = 3
        yield tree
        with VerticalScroll(id="plan-detail-scroll"):
            yield Static("", id="plan-detail")

    def on_resize(self, event: Resize) -> None:
        """Below 100 columns the lines leave out what the details show."""
        wide = event.size.width >= 100
        if wide != self._wide:
            self._wide = wide
            if self.plan is not None:
                self._fill(self.plan)

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, exit_on_error=False, group="sheet-plan")
    def load(self) -> None:
        """Read the plan of the year shown, progress as of the app's day."""
        from kam.services.audit import newest_event
        from kam.services.plans import get_plan

        shift = self.shift
        year = None if shift == 0 or self._this_year is None else self._this_year + shift
        with self.kam.database.reading() as session:
            seen = newest_event(session)  # first: a change after it is one the form may miss
            plan = get_plan(session, self.customer, fiscal_year=year, as_of=self.kam.as_of)
        self.post_message(self.Loaded(plan, shift, seen))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.shift != self.shift:
            return  # read for a year no longer asked for
        plan = self.plan = message.plan
        self.seen = message.seen
        if self.shift == 0:
            self._this_year = plan.fiscal_year
        self._fill(plan)
        self.screen.refresh_bindings()
        self._offer()

    # ------------------------------------------------------------------ showing

    def show_account(self, account: AccountView, people: list[ContactView]) -> None:
        """The account and its people as the sheet read them (whose rule applies, whom an
        action may address)."""
        first = self.account is None
        self.account, self.people = account, people
        if first and self.plan is not None:
            self._fill(self.plan)  # the root's hint depends on who may edit
        self._offer()

    def _offer(self) -> None:
        """Open the suggested objective's form, once, when the user may add it to this
        year's plan; else say what stands in the way."""
        from screens.sheet.objective_form import ObjectiveForm

        plan, suggestion = self.plan, self.suggestion
        if suggestion is None or plan is None or self.account is None or self.shift != 0:
            return
        self.suggestion = None
        if not plan.editable or not self.may(Action.EDIT_PLAN):
            return
        goal = next((g for g in plan.goals), None)
        if goal is None:
            self.notify("The plan has no goal yet: add one (a), then an objective to it.",
                        markup=False)  # fmt: skip
            return
        form = ObjectiveForm(goal_id=goal.id, goal=goal.title, today=self.kam.as_of,
                             suggestion=suggestion)  # fmt: skip
        self._open(form, "Objective added.", "ObjectiveView")

    def may(self, action: Action) -> bool:
        """Whether the user may take `action` on this account (the services' own rule)."""
        return self.account is not None and self.kam.may(action, self.account)

    def _fill(self, plan: PlanView) -> None:
        """Rebuild the tree, keeping the cursor on the node it was on."""
        self.query_one("#plan-text", Static).update(nodes.swot_lines(plan))
        tree: Tree[PlanNode] = self.query_one("#plan-tree", Tree)
        before = _identity(self.highlighted())
        wide = self._wide
        tree.clear()
        tree.root.set_label(nodes.plan_label(plan, may_edit=self.may(Action.EDIT_PLAN)))
        tree.root.data = plan
        tree.root.allow_expand = bool(plan.goals)
        tree.root.expand()
        for g in plan.goals:
            goal = tree.root.add(nodes.goal_label(g, wide=wide), g, expand=True,
                                 allow_expand=bool(g.objectives))  # fmt: skip
            for o in g.objectives:
                objective = goal.add(nodes.objective_label(o, wide=wide), o, expand=True,
                                     allow_expand=bool(o.actions))  # fmt: skip
                for a in o.actions:
                    objective.add_leaf(nodes.action_label(a, wide=wide), a)
        _ = tree.last_line  # lay the lines out now, so the cursor can go back to its node
        added = _find(tree.root, self._added) if self._added else None
        if added is not None:
            self._added = None  # a node just added: a, e, u act on it next
        found = added or _find(tree.root, before) or tree.root
        tree.move_cursor(found)
        self._show_detail(found.data)

    def _show_detail(self, node: PlanNode | None) -> None:
        detail = self.query_one("#plan-detail", Static)
        if node is None or self.plan is None:
            detail.update("")
        elif _kind(node) == "GoalView":
            detail.update(nodes.goal_detail(node))  # type: ignore[arg-type]
        elif _kind(node) == "ObjectiveView":
            detail.update(nodes.objective_detail(node))  # type: ignore[arg-type]
        elif _kind(node) == "ActionView":
            detail.update(nodes.action_detail(node))  # type: ignore[arg-type]
        elif self.plan.id is None:
            detail.update(nodes.nothing_yet())
        else:
            detail.update(nodes.plan_detail(self.plan))

    def highlighted(self) -> PlanNode | None:
        """The plan, goal, objective or action under the cursor."""
        tree: Tree[PlanNode] = self.query_one("#plan-tree", Tree)
        node = tree.cursor_node
        return node.data if node is not None else None

    @on(Tree.NodeHighlighted, "#plan-tree")
    def _node_highlighted(self, event: Tree.NodeHighlighted[PlanNode]) -> None:
        self._show_detail(event.node.data)
        self.screen.refresh_bindings()

    # ------------------------------------------------------------------ who may do what

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key exists only where it acts, for those the rule allows, on a year not history."""
        plan, node = self.plan, self.highlighted()
        if action in ("earlier_year", "later_year"):
            return plan is not None and (action == "earlier_year" or self.shift < 1)
        if action not in PLAN_ACTIONS:
            return True
        permission, kind = PLAN_ACTIONS[action]
        if plan is None or not self.may(permission):
            return False
        if action == "comment":
            return plan.id is not None
        if not plan.editable or (kind is not None and _kind(node) != kind):
            return False
        if action == "add_goal":
            return rules.takes_another_goal(rules.goals_held(g.status for g in plan.goals))
        if action == "update_progress":
            return node.figure is None  # type: ignore[union-attr]
        if action == "complete_action":
            return node.status in nodes.OPEN_ACTIONS  # type: ignore[union-attr]
        return True

    # ------------------------------------------------------------------ acting

    def _after(self, what: str, adds: str | None = None) -> Callable[[Any], None]:
        """What follows a form's save: say so, read again; the node of kind `adds` that the
        form added gets the cursor (as a new record on the record tabs does)."""

        def done(view: Any) -> None:
            if view is None:
                return
            if adds is not None and self.plan is not None:
                had = {n.id for n in _nodes(self.plan, adds)}
                new = [n.id for n in _nodes(view, adds) if n.id not in had]
                self._added = (adds, new[0]) if new else None
            self.post_message(self.Saved(what))

        return done

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.notify(message.what, markup=False)
        self.load()
        self.post_message(self.Changed())

    def _open(self, form: Screen[Any], what: str, adds: str | None = None) -> None:
        from screens.forms.form import FormScreen

        if isinstance(form, FormScreen):
            form.read_at(self.seen)  # an edit form saw the plan as read
        self.app.push_screen(form, self._after(what, adds))

    def action_add_goal(self) -> None:
        """Add a goal to the plan."""
        from screens.sheet.goal_form import GoalForm

        assert self.plan is not None
        self._open(GoalForm(self.customer, fiscal_year=self.plan.fiscal_year), "Goal added.",
                   "GoalView")  # fmt: skip

    def action_add_objective(self) -> None:
        """Add an objective to the highlighted goal."""
        from screens.sheet.objective_form import ObjectiveForm

        goal: GoalView = self.highlighted()  # type: ignore[assignment]
        self._open(ObjectiveForm(goal_id=goal.id, goal=goal.title, today=self.kam.as_of),
                   "Objective added.", "ObjectiveView")  # fmt: skip

    def action_add_action(self, objective: ObjectiveView | None = None) -> None:
        """Add an action to the highlighted objective."""
        from screens.sheet.plan_action_form import PlanActionForm

        target: ObjectiveView = objective or self.highlighted()  # type: ignore[assignment]
        self._open(PlanActionForm(objective=target, people=self.people), "Action added.",
                   "ActionView")  # fmt: skip

    def action_add_sibling_action(self) -> None:
        """Add another action to the highlighted action's objective."""
        action: ActionView = self.highlighted()  # type: ignore[assignment]
        assert self.plan is not None
        objective = next(o for o in self.plan.objectives if o.id == action.objective_id)
        self.action_add_action(objective)

    def action_edit_goal(self) -> None:
        """Change the highlighted goal."""
        from screens.sheet.goal_form import GoalForm

        goal: GoalView = self.highlighted()  # type: ignore[assignment]
        self._open(GoalForm(self.customer, goal=goal), "Goal saved.")

    def action_edit_objective(self) -> None:
        """Change the highlighted objective's title, target or due date."""
        from screens.sheet.objective_form import ObjectiveForm

        objective: ObjectiveView = self.highlighted()  # type: ignore[assignment]
        self._open(ObjectiveForm(objective=objective, today=self.kam.as_of), "Objective saved.")

    def action_edit_action(self) -> None:
        """Change the highlighted action."""
        from screens.sheet.plan_action_form import PlanActionForm

        action: ActionView = self.highlighted()  # type: ignore[assignment]
        self._open(PlanActionForm(action=action, people=self.people), "Action saved.")

    def action_update_progress(self) -> None:
        """Record by hand where the highlighted objective stands."""
        from screens.sheet.progress_form import ProgressForm

        objective: ObjectiveView = self.highlighted()  # type: ignore[assignment]
        self._open(ProgressForm(objective), "Progress recorded.")

    def action_complete_action(self) -> None:
        """Mark the highlighted action done (today)."""
        action: ActionView = self.highlighted()  # type: ignore[assignment]
        self._complete(action.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="sheet-plan-write")
    def _complete(self, action_id: int) -> None:
        from kam.services.plans import complete_action

        with self.kam.database.writing() as session:
            complete_action(session, self.kam.actor, action_id)
        self.post_message(self.Saved("Action done."))

    def action_comment(self) -> None:
        """Comment on the plan."""
        from screens.sheet.plan_comment_form import PlanCommentForm

        assert self.plan is not None
        self._open(PlanCommentForm(self.plan), "Comment added.")

    def action_edit_text(self) -> None:
        """Write the situation and the SWOT."""
        from screens.sheet.plan_text_form import PlanTextForm

        assert self.plan is not None
        self._open(PlanTextForm(self.plan), "Situation and SWOT saved.")

    def action_earlier_year(self) -> None:
        """Show the plan of the year before (past years are history: read-only)."""
        self.shift -= 1
        self.load()

    def action_later_year(self) -> None:
        """Show the plan of the year after (up to next year's)."""
        self.shift += 1
        self.load()


def _kind(node: object) -> str | None:
    return None if node is None else type(node).__name__


def _nodes(plan: PlanView, kind: str) -> list[Any]:
    """The plan's goals, objectives or actions (by the name of their view)."""
    kinds: dict[str, list[Any]] = {
        "GoalView": list(plan.goals),
        "ObjectiveView": plan.objectives,
        "ActionView": plan.actions,
    }
    return kinds[kind]


def _identity(node: object) -> tuple[str | None, int | None]:
    return _kind(node), getattr(node, "id", None)


def _find(node: Any, wanted: tuple[str | None, int | None]) -> Any:
    """The tree node holding the plan node `wanted` (kind, id), or None."""
    if _identity(node.data) == wanted:
        return node
    for child in node.children:
        found = _find(child, wanted)
        if found is not None:
            return found
    return None
