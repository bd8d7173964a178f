"""Account plans: one per key account per fiscal year (kam.rules.plans has the rules).

Reads in `reads`, writes in `writes`, the views both return in `views`.
"""

from kam.services.plans.reads import get_plan, plan_standings, plan_view, this_year
from kam.services.plans.views import ActionView, CommentView, GoalView, ObjectiveView, PlanView
from kam.services.plans.writes import (
    ActionChanges,
    ActionInput,
    GoalChanges,
    GoalInput,
    ObjectiveChanges,
    ObjectiveInput,
    PlanText,
    add_action,
    add_goal,
    add_objective,
    carry_goals,
    comment_plan,
    complete_action,
    set_plan_text,
    update_action,
    update_goal,
    update_objective,
)

__all__ = [
    "ActionChanges",
    "ActionInput",
    "ActionView",
    "CommentView",
    "GoalChanges",
    "GoalInput",
    "GoalView",
    "ObjectiveChanges",
    "ObjectiveInput",
    "ObjectiveView",
    "PlanText",
    "PlanView",
    "add_action",
    "add_goal",
    "add_objective",
    "carry_goals",
    "comment_plan",
    "complete_action",
    "get_plan",
    "plan_standings",
    "plan_view",
    "set_plan_text",
    "this_year",
    "update_action",
    "update_goal",
    "update_objective",
]
