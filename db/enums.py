"""The domain's closed vocabularies (enums only; the rules over them live in kam.rules),
importable without SQLAlchemy (the CLI's --help uses them)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a user may do in kam."""

    ADMIN = "admin"
    MANAGER = "manager"
    EXECUTIVE = "executive"
    VIEWER = "viewer"


class Door(StrEnum):
    """The way a change came in, recorded on every audit event."""

    TUI = "tui"
    CLI = "cli"
    IMPORT = "import"
    BATCH = "batch"


class CustomerStatus(StrEnum):
    """Whether a customer is buying."""

    PROSPECT = "prospect"
    ACTIVE = "active"
    INACTIVE = "inactive"


class LifecycleStage(StrEnum):
    """Where the customer stands in the buying lifecycle."""

    AWARENESS = "awareness"
    CONSIDERATION = "consideration"
    PURCHASE = "purchase"
    USAGE = "usage"
    LOYALTY = "loyalty"
    CHURN = "churn"


class LoyaltyType(StrEnum):
    """Why a customer stays."""

    MONOPOLY = "monopoly"
    INERTIA = "inertia"
    PRICE = "price"
    INCENTIVE = "incentive"
    TRUST = "trust"


class AccountStatus(StrEnum):
    """A key account's place in the programme."""

    NOMINATED = "nominated"
    VETTING = "vetting"
    ACTIVE = "active"
    UNDER_REVIEW = "under_review"
    RETIRED = "retired"
    REJECTED = "rejected"


class CostCategory(StrEnum):
    """Cost-to-serve categories."""

    SALES = "sales"
    SUPPORT = "support"
    LOGISTICS = "logistics"
    TERMS = "terms"
    CUSTOM_WORK = "custom_work"
    OTHER = "other"


class CriterionKind(StrEnum):
    """How a criterion is scored."""

    METRIC = "metric"
    MANUAL = "manual"


class AssessmentKind(StrEnum):
    """Why an assessment was made."""

    VETTING = "vetting"
    REVIEW = "review"


class AssessmentDecision(StrEnum):
    """What was decided on an assessment."""

    ADMIT = "admit"
    REJECT = "reject"
    RETAIN = "retain"
    WATCH = "watch"
    RETIRE = "retire"


class ReviewDecision(StrEnum):
    """The outcome of a periodic review."""

    RETAIN = "retain"
    WATCH = "watch"
    RETIRE = "retire"


class BuyingRole(StrEnum):
    """A contact's part in the customer's buying decisions."""

    DECISION_MAKER = "decision_maker"
    INFLUENCER = "influencer"
    USER = "user"
    GATEKEEPER = "gatekeeper"


class CommunicationStyle(StrEnum):
    """How a contact prefers to be dealt with."""

    DEMANDING = "demanding"
    INFLUENCING = "influencing"
    STEADY = "steady"
    COMPLIANT = "compliant"


class InteractionKind(StrEnum):
    """The kinds of contact with a customer."""

    VISIT = "visit"
    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    EXECUTIVE_VISIT = "executive_visit"


class Department(StrEnum):
    """The department that owns a commitment."""

    SALES = "sales"
    OPERATIONS = "operations"
    SUPPLY_CHAIN = "supply_chain"
    SERVICE = "service"
    FINANCE = "finance"
    PRODUCT = "product"
    OTHER = "other"


class CommitmentStatus(StrEnum):
    """Whether a promise was kept."""

    OPEN = "open"
    DONE = "done"
    BROKEN = "broken"


class ComplaintStatus(StrEnum):
    """A complaint's way through handling; none may be skipped."""

    RECORDED = "recorded"
    HANDLED = "handled"
    VERIFIED = "verified"
    FED_BACK = "fed_back"


class Severity(StrEnum):
    """How bad a complaint is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Skill(StrEnum):
    """The key account manager skills scored 1-5."""

    FINANCE = "finance"
    CONSULTING = "consulting"
    PLANNING = "planning"
    INTERPERSONAL = "interpersonal"
    INFLUENCE = "influence"


class Stance(StrEnum):
    """Where a person at the customer stands toward us."""

    CHAMPION = "champion"
    SUPPORTER = "supporter"
    NEUTRAL = "neutral"
    SKEPTIC = "skeptic"
    BLOCKER = "blocker"


class GoalStatus(StrEnum):
    """Where a plan's goal stands."""

    OPEN = "open"
    ACHIEVED = "achieved"
    DROPPED = "dropped"
    CARRIED = "carried"
    """Carried into the next period's plan (a copy continues there)."""


class ActionStatus(StrEnum):
    """Where a plan's action stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class PlanFigure(StrEnum):
    """A kam figure an objective may be linked to, so its progress is computed."""

    T12M_PROFIT = "t12m_profit"
    GROSS_MARGIN = "gross_margin"
    REVENUE = "revenue"
    SHARE_OF_WALLET = "share_of_wallet"
    COST_TO_SERVE = "cost_to_serve"
    SATISFACTION = "satisfaction"
    CONTACTS_MET_90D = "contacts_met_90d"
