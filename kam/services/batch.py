"""`kam batch`: many changes from a JSON Lines file, validated first, applied in one transaction.

Each line is one object: {"action": "account.update", "account": "Acme", "reason": "..."}.
The actions are the CLI's verbs and take the same fields as the service functions. Every
line is parsed and checked (action known, fields known, values of the right shape) before
anything is applied; then all lines run in order in one transaction, and the first refusal
rolls everything back and names its line.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from kam.errors import InvalidData, KamError
from kam.text import clean_text

if TYPE_CHECKING:
    from pydantic import BaseModel
    from sqlmodel import Session

    from kam.identity import Actor


#: action -> (service module, function, {batch field: parameter} renames, input model of its
#: **fields: a name in the service module, or "module:name"). Only the modules a file's
#: actions use are imported.
ACTIONS: dict[str, tuple[str, str, dict[str, str], str | None]] = {
    "account.nominate": ("kam.services.accounts", "create_account", {}, None),
    "account.update": (
        "kam.services.accounts",
        "update_account",
        {"account": "name", "if_version": "expected_version"},
        "kam.services.account_changes:AccountChanges",
    ),
    "account.assess": ("kam.services.vetting", "assess", {"account": "name"}, None),
    "account.admit": (
        "kam.services.vetting",
        "admit",
        {"account": "name", "override": "override_reason"},
        None,
    ),
    "account.reject": ("kam.services.vetting", "reject", {"account": "name"}, None),
    "account.retire": ("kam.services.vetting", "retire", {"account": "name"}, None),
    "customer.add": ("kam.services.customers", "create_customer", {}, "CustomerInput"),
    "customer.update": ("kam.services.customers", "update_customer", {}, "CustomerChanges"),
    "user.add": ("kam.services.users", "add_user", {}, None),
    "user.role": ("kam.services.users", "set_role", {}, None),
    "contact.add": ("kam.services.contacts", "add_contact", {}, "ContactInput"),
    "contact.update": (
        "kam.services.contacts",
        "update_contact",
        {"id": "contact_id"},
        "ContactChanges",
    ),
    "interaction.log": ("kam.services.interactions", "log_interaction", {}, "InteractionInput"),
    "commitment.add": ("kam.services.commitments", "add_commitment", {}, "CommitmentInput"),
    "commitment.update": (
        "kam.services.commitments",
        "update_commitment",
        {"id": "commitment_id"},
        "CommitmentChanges",
    ),
    "complaint.record": ("kam.services.complaints", "record_complaint", {}, "ComplaintInput"),
    "complaint.advance": (
        "kam.services.complaints",
        "advance_complaint",
        {"id": "complaint_id"},
        None,
    ),
    "complaint.update": (
        "kam.services.complaints",
        "update_complaint",
        {"id": "complaint_id"},
        "ComplaintChanges",
    ),
    "sponsor.assign": (
        "kam.services.sponsors",
        "assign_sponsor",
        {"executive": "executive_login"},
        None,
    ),
    "sponsor.visit": ("kam.services.sponsors", "record_visit", {"date": "on"}, None),
    "manager.assign": ("kam.services.managers", "assign_manager", {"manager": "login"}, None),
    "manager.skills": (
        "kam.services.managers",
        "set_skills",
        {"user": "login"},
        "SkillsInput",
    ),
    "review.record": ("kam.services.reviews", "record_review", {"account": "name"}, None),
    "practice.add": ("kam.services.practices", "add_practice", {}, None),
    "programme.set": ("kam.services.programme", "set_setting", {}, None),
    "plan.edit": (
        "kam.services.plans",
        "set_plan_text",
        {"year": "fiscal_year", "if_version": "expected_version"},
        "PlanText",
    ),
    "plan.goal.add": ("kam.services.plans", "add_goal", {"year": "fiscal_year"}, "GoalInput"),
    "plan.goal.update": ("kam.services.plans", "update_goal", {"id": "goal_id"}, "GoalChanges"),
    "plan.objective.add": (
        "kam.services.plans",
        "add_objective",
        {"goal": "goal_id"},
        "ObjectiveInput",
    ),
    "plan.objective.update": (
        "kam.services.plans",
        "update_objective",
        {"id": "objective_id"},
        "ObjectiveChanges",
    ),
    "plan.action.add": (
        "kam.services.plans",
        "add_action",
        {"objective": "objective_id"},
        "ActionInput",
    ),
    "plan.action.update": (
        "kam.services.plans",
        "update_action",
        {"id": "action_id"},
        "ActionChanges",
    ),
    "plan.action.done": ("kam.services.plans", "complete_action", {"id": "action_id"}, None),
    "plan.comment": ("kam.services.plans", "comment_plan", {"year": "fiscal_year"}, None),
    "plan.carry": ("kam.services.plans", "carry_goals", {}, None),
    "contact.counterpart": ("kam.services.people", "set_counterpart", {}, None),
}

ActionSpec = tuple[Callable[..., Any], dict[str, str], "type[BaseModel] | None"]


def _action(action: str) -> ActionSpec:
    """The service, renames and input model of one action, importing its module."""
    import importlib

    module_name, function, renames, model = ACTIONS[action]
    module = importlib.import_module(module_name)
    if not model:
        return getattr(module, function), renames, None
    where, _, name = model.rpartition(":")
    home = importlib.import_module(where) if where else module
    return getattr(module, function), renames, getattr(home, name)


def _actions() -> dict[str, ActionSpec]:
    """Every action (imports every service module: for listing them)."""
    return {action: _action(action) for action in ACTIONS}


@dataclass(frozen=True)
class FieldDoc:
    """One field a batch action takes."""

    name: str
    type: str
    required: bool


def _options(hint: Any) -> tuple[Any, ...]:
    """The types a hint allows: each member of a union (`X | None`, `Optional[X]`), or itself."""
    import types
    import typing

    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return typing.get_args(hint)
    return (hint,)


def _shown(hint: Any) -> str:
    """A field's type as `kam batch --actions` lists it: `str`, `int`, `date`, an enum's
    words, `list[str]`; `None` is left out of a union."""
    options = [h for h in _options(hint) if h is not type(None)]
    if not options:
        return "null"
    if len(options) > 1:
        return " | ".join(_shown(h) for h in options)
    hint = options[0]
    if isinstance(hint, type):
        if issubclass(hint, Enum):
            return " | ".join(str(m.value) for m in hint)
        return hint.__name__
    return str(hint).replace("typing.", "").replace("datetime.", "")


def describe_actions() -> dict[str, list[FieldDoc]]:
    """Every batch action with its fields, from the services' signatures and input models."""
    import typing

    described: dict[str, list[FieldDoc]] = {}
    for action, (function, renames, model) in _actions().items():
        back = {v: k for k, v in renames.items()}
        hints = _hints(function)
        docs: list[FieldDoc] = []
        for name, parameter in inspect.signature(function).parameters.items():
            if name in ("session", "actor") or parameter.kind == parameter.VAR_KEYWORD:
                continue
            docs.append(FieldDoc(back.get(name, name), _shown(hints.get(name, "")),
                                 parameter.default is parameter.empty))  # fmt: skip
        if model is not None:
            model_hints = typing.get_type_hints(model)
            for name, info in model.model_fields.items():
                docs.append(FieldDoc(name, _shown(model_hints.get(name)), info.is_required()))
        described[action] = docs
    return described


@dataclass(frozen=True)
class Step:
    """One parsed line: its number, action and the arguments for the service."""

    line: int
    action: str
    arguments: dict[str, Any]


@dataclass
class BatchReport:
    """What a batch did (or, on a dry run, would do)."""

    file: str
    lines: int
    applied: int
    dry_run: bool
    results: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "file": self.file,
            "lines": self.lines,
            "applied": self.applied,
            "dry_run": self.dry_run,
            "results": self.results,
        }


def _kind(value: Any) -> str:
    """A JSON value's kind, in words."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else "null"


def _mismatch(value: Any, hint: Any, path: str) -> str | None:
    """Where a JSON value does not have the shape the service's type asks for, in words
    (`manual.advocacy: expected tuple[int, str], not text`), or None when it has it. A type
    the check does not know (one left unresolved) lets the value through."""
    import typing

    from kam.rules import limits

    if isinstance(value, float) and limits.not_finite(value):
        return f"{path}: {limits.not_finite(value)}"
    if isinstance(value, int) and not isinstance(value, bool) and limits.out_of_range(value):
        return f"{path}: {limits.out_of_range(value)}"
    options = _options(hint)
    if value is None and type(None) in options:
        return None
    options = tuple(o for o in options if o is not type(None)) or options
    if len(options) > 1:
        if any(_mismatch(value, option, path) is None for option in options):
            return None
        return f"{path}: expected {_shown(hint)}, not {_kind(value)}"
    hint = options[0]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    fits: bool
    if hint is type(None):
        fits = value is None
    elif hint is bool:
        fits = isinstance(value, bool)
    elif hint is int:
        fits = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        fits = isinstance(value, int | float) and not isinstance(value, bool)
    elif hint in (str, date) or (isinstance(hint, type) and issubclass(hint, Enum)):
        fits = isinstance(value, str)
    elif origin is list and args:
        if not isinstance(value, list):
            return f"{path}: expected {_shown(hint)}, not {_kind(value)}"
        found = (_mismatch(item, args[0], f"{path}[{i}]") for i, item in enumerate(value))
        return next((problem for problem in found if problem), None)
    elif origin is dict and len(args) == 2:
        if not isinstance(value, dict):
            return f"{path}: expected {_shown(hint)}, not {_kind(value)}"
        found = (_mismatch(item, args[1], f"{path}.{key}") for key, item in value.items())
        return next((problem for problem in found if problem), None)
    elif origin is tuple and args and ... not in args:
        if not isinstance(value, list) or len(value) != len(args):
            given = f"a list of {len(value)}" if isinstance(value, list) else _kind(value)
            return f"{path}: expected [{', '.join(_shown(a) for a in args)}], not {given}"
        found = (
            _mismatch(v, a, f"{path}[{i}]")
            for i, (v, a) in enumerate(zip(value, args, strict=True))
        )
        return next((problem for problem in found if problem), None)
    else:
        return None
    return None if fits else f"{path}: expected {_shown(hint)}, not {_kind(value)}"


def _coerce(value: Any, hint: Any) -> Any:
    """JSON values as the service takes them: ISO strings become dates, words become the
    vocabulary's members (refused, naming the choices, when they are not one)."""
    options = _options(hint)
    if value is None or not isinstance(value, str):
        return value
    for option in options:
        if option is date:
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise InvalidData(f"'{value}' is not a date (YYYY-MM-DD).") from None
        if isinstance(option, type) and issubclass(option, Enum):
            try:
                return option(value)
            except ValueError:
                choices = ", ".join(str(m.value) for m in option)
                raise InvalidData(f"'{value}' is not one of {choices}.") from None
    return value


def _hints(function: Callable[..., Any]) -> dict[str, Any]:
    """The service's parameter types, resolved where they can be (the modules postpone
    annotations; names imported only for type checking, such as Session, stay unresolved)."""
    hints: dict[str, Any] = {}
    for name, parameter in inspect.signature(function).parameters.items():
        annotation = parameter.annotation
        if isinstance(annotation, str):
            try:
                annotation = eval(annotation, function.__globals__)
            except NameError:
                continue
        hints[name] = annotation
    return hints


def parse(path: Path, *, name: str | None = None) -> list[Step]:
    """Read and check every line; raise InvalidData listing every bad line (none applied).
    `name`: the file as messages name it (default: its path)."""
    import typing

    specs: dict[str, tuple[ActionSpec, Any, dict[str, Any]]] = {}  # read once per action
    steps: list[Step] = []
    problems: list[tuple[int, str]] = []  # (line, what is wrong with it)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, NotADirectoryError):
        from kam.services.importing.reading import no_such_file

        raise no_such_file(path, name) from None
    except IsADirectoryError:
        raise InvalidData(f"{name or path} is a folder; name a file in it.") from None
    except UnicodeDecodeError:
        raise InvalidData(f"{name or path}: not UTF-8 text.") from None
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append((number, f"line {number}: not JSON ({exc.msg})"))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("action"), str):
            problems.append((number, f'line {number}: needs an object with an "action"'))
            continue
        action = item.pop("action")
        if action not in ACTIONS:
            problems.append(
                (
                    number,
                    f"line {number}: unknown action '{clean_text(action)[:40]}'; the actions are "
                    f"{', '.join(ACTIONS)} (`kam batch --actions` lists their fields)",
                )
            )
            continue
        if action not in specs:
            spec = _action(action)
            hints = _hints(spec[0])
            if spec[2] is not None:  # the input model's fields, for what **fields takes
                hints = {**typing.get_type_hints(spec[2]), **hints}
            specs[action] = (spec, inspect.signature(spec[0]).parameters, hints)
        (function, renames, model), parameters, hints = specs[action]
        takes_any = any(p.kind == p.VAR_KEYWORD for p in parameters.values())
        fields = set(model.model_fields) if model is not None else set()
        arguments = {}
        given = set()  # the fields this line gives, refused or not
        at = f"line {number} ({action})"
        for key, value in cast(dict[str, Any], item).items():  # a JSON object: str keys
            field = renames.get(key, key)
            known = field in parameters or (field in fields if model else takes_any)
            if key not in renames and key in renames.values():  # a parameter by another name
                known = False
            if field in ("session", "actor") or not known:
                problems.append((number, f"line {number}: {action} has no field '{key}'"))
                continue
            given.add(field)
            hint = hints.get(field) if field in parameters or field in fields else None
            if field not in parameters and str in _options(hint):
                hint = None  # text: the model's own validators take lines or a list of them
            shape = _mismatch(value, hint, key)
            if shape:
                problems.append((number, f"{at}: {shape}"))
                continue
            try:
                arguments[field] = _coerce(value, hint)
            except InvalidData as exc:
                problems.append((number, f"{at}: {key}: {str(exc).rstrip('.')}"))
        if model is not None:
            refused = given - arguments.keys()  # told above: not "Field required" again
            problems += [
                problem
                for problem in _check_model(
                    at, number, model, {k: v for k, v in arguments.items() if k in fields}
                )
                if not any(problem[1].startswith(f"{at}: {field}: ") for field in refused)
            ]
        missing = [
            n
            for n, p in parameters.items()
            if n not in ("session", "actor")
            and p.default is p.empty
            and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
            and n not in given
        ]
        back = {v: k for k, v in renames.items()}
        problems += [(number, f"line {number}: {action} needs '{back.get(n, n)}'") for n in missing]
        steps.append(Step(number, action, arguments))
    if problems:
        shown = "\n".join(f"  {p}" for _, p in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        bad = len({line for line, _ in problems})
        raise InvalidData(
            f"{name or path.name}: {bad} invalid line{'' if bad == 1 else 's'}; "
            f"nothing was applied.\n{shown}{more}"
        )
    return steps


def _check_model(at: str, number: int, model: Any, values: dict[str, Any]) -> list[tuple[int, str]]:
    """The service's own input model checks a line's fields before anything is applied."""
    from pydantic import ValidationError

    try:
        model(**values)
    except ValidationError as exc:
        return [
            (number, f"{at}: {'.'.join(str(p) for p in err['loc']) or 'input'}: {err['msg']}")
            for err in exc.errors()
        ]
    return []


def _summary(result: Any) -> dict[str, Any]:
    keep = ("id", "customer", "status", "version", "login", "role", "name", "total", "warning")
    return {k: getattr(result, k) for k in keep if getattr(result, k, None) is not None}


def apply(
    session: Session, actor: Actor, steps: list[Step], *, file: str, dry_run: bool
) -> BatchReport:
    """Run every step in the caller's transaction; the first refusal names its line. A run
    of account updates goes to accounts.update_accounts, which writes them set-based."""
    functions: dict[str, Callable[..., Any]] = {}
    results: list[dict[str, Any]] = []
    index = 0
    while index < len(steps):
        end = index
        while end < len(steps) and steps[end].action == "account.update":
            end += 1
        if end > index:
            results += _update_accounts(session, actor, steps[index:end])
            index = end
            continue
        step = steps[index]
        function = functions.get(step.action) or functions.setdefault(
            step.action, _action(step.action)[0]
        )
        try:
            result = function(session, actor, **step.arguments)
        except KamError as exc:
            error = type(exc)(f"line {step.line} ({step.action}): {exc} Nothing was applied.")
            raise error from exc
        results.append({"line": step.line, "action": step.action, **_summary(result)})
        index += 1
    return BatchReport(file, len(steps), len(steps), dry_run, results)


def _update_accounts(session: Session, actor: Actor, steps: list[Step]) -> list[dict[str, Any]]:
    """Consecutive account.update lines, written together."""
    from kam.services import accounts

    updates = []
    for step in steps:
        fields = dict(step.arguments)
        name = fields.pop("name")
        expected = fields.pop("expected_version", None)
        updates.append(accounts.AccountUpdate(step.line, name, expected, fields))
    try:
        views = accounts.update_accounts(session, actor, updates)
    except accounts.UpdateRefused as refused:
        exc = refused.error
        error = type(exc)(f"line {refused.line} (account.update): {exc} Nothing was applied.")
        raise error from exc
    return [
        {"line": step.line, "action": step.action, **_summary(view)}
        for step, view in zip(steps, views, strict=True)
    ]
