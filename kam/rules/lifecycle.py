"""The key account lifecycle: statuses, the moves between them, and who counts as what.

    nominated ──assess──> vetting ──admit──> active <──review/update──> under_review
        │ └────────────admit (override)──────^  │                          │
        └──reject──> rejected <──reject── vetting     active/under_review ──retire──> retired

Every module that asks "is this account a member?" or "may it go from A to B?" reads
this one table; the schema's partial unique index (one open membership per customer)
spells the closed statuses too, in its migration.
"""

from __future__ import annotations

from db.enums import AccountStatus, CommitmentStatus, ComplaintStatus

#: Proposed for the programme, not yet decided: nominated, or being scored.
NOMINEES: tuple[AccountStatus, ...] = (AccountStatus.NOMINATED, AccountStatus.VETTING)
#: In the programme: key accounts proper (CLV totals, reviews, sponsor visits count these).
MEMBERS: tuple[AccountStatus, ...] = (AccountStatus.ACTIVE, AccountStatus.UNDER_REVIEW)
#: A customer holds at most one membership in these statuses at a time.
OPEN: tuple[AccountStatus, ...] = NOMINEES + MEMBERS
#: History: the membership ended.
CLOSED: tuple[AccountStatus, ...] = (AccountStatus.RETIRED, AccountStatus.REJECTED)

#: The decision (service verb) that makes each move. "update" is an admin's plain status
#: change; the others are decisions with rules of their own (kam.services.vetting, reviews).
MOVES: dict[AccountStatus, dict[AccountStatus, tuple[str, ...]]] = {
    AccountStatus.NOMINATED: {
        AccountStatus.VETTING: ("assess",),
        AccountStatus.ACTIVE: ("admit",),
        AccountStatus.REJECTED: ("reject",),
    },
    AccountStatus.VETTING: {
        AccountStatus.ACTIVE: ("admit",),
        AccountStatus.REJECTED: ("reject",),
    },
    AccountStatus.ACTIVE: {
        AccountStatus.UNDER_REVIEW: ("review", "update"),
        AccountStatus.RETIRED: ("retire",),
    },
    AccountStatus.UNDER_REVIEW: {
        AccountStatus.ACTIVE: ("review", "update"),
        AccountStatus.RETIRED: ("retire",),
    },
    AccountStatus.RETIRED: {},
    AccountStatus.REJECTED: {},
}


def is_member(status: AccountStatus | str) -> bool:
    """Whether an account in this status is a key account proper (active or under review)."""
    return AccountStatus(status) in MEMBERS


def is_nominee(status: AccountStatus | str) -> bool:
    """Whether an account in this status is still being decided (nominated or vetting)."""
    return AccountStatus(status) in NOMINEES


def is_open(status: AccountStatus | str) -> bool:
    """Whether the membership is current (not retired or rejected)."""
    return AccountStatus(status) in OPEN


def can_move(status: AccountStatus, to: AccountStatus, *, by: str) -> bool:
    """Whether the decision `by` may move an account from `status` to `to`."""
    return by in MOVES[status].get(to, ())


def moves_by(by: str) -> tuple[AccountStatus, ...]:
    """The statuses from which the decision `by` applies (e.g. "retire": the members)."""
    return tuple(s for s, targets in MOVES.items() if any(by in v for v in targets.values()))


def next_statuses(status: AccountStatus) -> tuple[AccountStatus, ...]:
    """Every status an account may go to from `status`, by any decision."""
    return tuple(MOVES[status])


def refusal(status: AccountStatus, to: AccountStatus) -> str:
    """The sentence refusing a move the table does not allow."""
    allowed = ", ".join(s.value for s in MOVES[status]) or "nothing"
    return (
        f"A key account cannot go from {status.value} to {to.value}; "
        f"from {status.value} it can go to: {allowed}."
    )


#: A complaint's way through handling; none may be skipped.
COMPLAINT_STEPS: tuple[ComplaintStatus, ...] = (
    ComplaintStatus.RECORDED,
    ComplaintStatus.HANDLED,
    ComplaintStatus.VERIFIED,
    ComplaintStatus.FED_BACK,
)


def complaint_next(status: ComplaintStatus) -> ComplaintStatus | None:
    """The one next step of a complaint's handling, or None once fed back."""
    at = COMPLAINT_STEPS.index(status)
    return COMPLAINT_STEPS[at + 1] if at + 1 < len(COMPLAINT_STEPS) else None


def complaint_is_open(status: ComplaintStatus | str) -> bool:
    """A complaint stays open until it is fed back to the customer."""
    return ComplaintStatus(status) != COMPLAINT_STEPS[-1]


#: A promise still to be kept; it closes as done or broken (and may be reopened).
OPEN_COMMITMENTS: tuple[CommitmentStatus, ...] = (CommitmentStatus.OPEN,)


def commitment_is_open(status: CommitmentStatus | str) -> bool:
    """A commitment is open until it is marked done or broken."""
    return CommitmentStatus(status) in OPEN_COMMITMENTS
