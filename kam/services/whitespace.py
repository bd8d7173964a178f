"""Whitespace: the key accounts × product categories, read from the database and computed
by kam.figures.whitespace (the rule is written there)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from kam.views import View

if TYPE_CHECKING:
    from sqlmodel import Session

    from kam.figures.whitespace import Whitespace


@dataclass(frozen=True)
class WhitespaceCell(View):
    """One account's figures in one category (T12M, margin terms)."""

    category: str
    margin: float
    """The account's gross margin in the category (0: it buys none)."""
    expected: float | None
    """The peers' median margin per unit of size × the account's size (None: no size)."""
    opportunity: float
    """expected − margin, not below 0."""


@dataclass(frozen=True)
class WhitespaceRow(View):
    """One key account's row of the matrix, with its totals."""

    account_id: int
    customer_id: int
    customer: str
    industry: str
    peers: int
    """How many customers it was compared with."""
    compared_with: str
    """industry, or base when its industry has fewer than 10 other buying customers."""
    size: float | None
    size_basis: str | None
    """wallet (estimated) or revenue (T12M); None when it has neither."""
    revenue: float
    gross_margin: float
    margin_rate: float | None
    headroom: float | None
    """Estimated wallet − T12M revenue (None without a wallet)."""
    headroom_margin: float | None
    """The headroom (not below 0) × the margin rate: the rest of the wallet at today's margin."""
    opportunity: float
    """The sum of the row's opportunities."""
    has_plan: bool
    """Whether the account has a plan for the fiscal year."""
    cells: list[WhitespaceCell] = field(default_factory=list)


@dataclass(frozen=True)
class WhitespaceView(View):
    """The whitespace matrix at a date: its categories and one row per key account, the
    largest total opportunity first."""

    as_of: date
    categories: list[str]
    rows: list[WhitespaceRow]


def compute(
    session: Session,
    *,
    as_of: date,
    customer_ids: set[int] | None = None,
    industry: str | None = None,
) -> Whitespace:
    """The whitespace figures of the given customers (default: every open key account),
    compared with the whole base's T12M purchases, or only with those of one industry."""
    import pandas as pd

    from db import aggregates
    from kam.figures import metrics
    from kam.figures.whitespace import whitespace
    from kam.rules import lifecycle

    conn = session.connection()
    if customer_ids is None:
        customer_ids = set(aggregates.member_ids(conn, [s.value for s in lifecycle.OPEN]))
    first, last = (day.date() for day in metrics.t12m_window(as_of))
    among = None if industry is None else aggregates.of_industry(industry)
    margins = pd.DataFrame.from_records(
        aggregates.window_category_margins(conn, first, last, customer_ids=among),
        columns=aggregates.CATEGORY_MARGIN_COLUMNS,
    ).astype({"margin": float})
    customers = pd.DataFrame.from_records(
        aggregates.customer_profiles(conn, customer_ids=among), columns=aggregates.PROFILE_COLUMNS
    ).set_index("customer_id")
    customers["estimated_wallet"] = customers["estimated_wallet"].astype(float)
    sales = pd.DataFrame.from_records(
        aggregates.window_sales(conn, first, last, customer_ids=among, detail=False),
        columns=aggregates.WINDOW_PROFIT_COLUMNS,
    ).set_index("customer_id")
    revenue, cogs = sales["revenue"].astype(float), sales["cost_of_goods"].astype(float)
    customers["revenue"] = revenue.reindex(customers.index).fillna(0.0)
    customers["gross_margin"] = (revenue - cogs).reindex(customers.index)
    return whitespace(margins, customers, customer_ids)


def account_whitespace(
    session: Session, *, as_of: date, customer: str | None = None
) -> WhitespaceView:
    """The whitespace matrix of every open key account, or of one (`customer`, by name)."""
    from sqlmodel import col, select

    from db.models import AccountPlan
    from kam.services.accounts import account_by_name, list_accounts
    from kam.services.plans.reads import this_year

    if customer is not None:
        one = account_by_name(session, customer)
        accounts = {one.customer_id: int(one.id or 0)}
    else:
        accounts = {a.customer_id: a.id for a in list_accounts(session)}
    result = compute(session, as_of=as_of, customer_ids=set(accounts))
    year = this_year(session, as_of)
    planned = set(
        session.exec(
            select(AccountPlan.key_account_id).where(
                AccountPlan.fiscal_year == year,
                col(AccountPlan.key_account_id).in_(list(accounts.values()) or [-1]),
            )
        ).all()
    )
    return WhitespaceView(as_of, result.categories, rows_of(result, accounts, planned))


def _number(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if number != number else number


def rows_of(result: Whitespace, accounts: dict[int, int], planned: set[int]) -> list[WhitespaceRow]:
    """The matrix's rows as views (`accounts`: customer id → account id)."""
    rows = []
    for cid, r in result.accounts.iterrows():
        customer_id = int(cid)  # type: ignore[call-overload]
        cells = [
            WhitespaceCell(
                category=category,
                margin=float(result.margin.at[cid, category]),
                expected=_number(result.expected.at[cid, category]),
                opportunity=float(result.opportunity.at[cid, category]),
            )
            for category in result.categories
        ]
        rows.append(
            WhitespaceRow(
                account_id=accounts[customer_id],
                customer_id=customer_id,
                customer=str(r["name"]),
                industry=str(r["industry"]),
                peers=int(r["peers"]),
                compared_with=str(r["compared_with"]),
                size=_number(r["size"]),
                size_basis=r["size_basis"] if isinstance(r["size_basis"], str) else None,
                revenue=float(r["revenue"]),
                gross_margin=float(r["gross_margin"]),
                margin_rate=_number(r["margin_rate"]),
                headroom=_number(r["headroom"]),
                headroom_margin=_number(r["headroom_margin"]),
                opportunity=float(r["opportunity"]),
                has_plan=accounts[customer_id] in planned,
                cells=cells,
            )
        )
    return rows


def top_opportunities(
    session: Session, customer_id: int, *, as_of: date, n: int = 3
) -> list[tuple[str, float]]:
    """One account's `n` largest opportunities, (category, margin), largest first. Only its
    industry is read when that holds enough peers (the whole base otherwise)."""
    from db import aggregates
    from kam.figures.whitespace import BASE, MIN_PEERS
    from kam.figures.whitespace import top_opportunities as top

    conn = session.connection()
    ((_id, _name, industry, _wallet),) = aggregates.customer_profiles(
        conn, customer_ids=[customer_id]
    )
    peers = aggregates.customer_count(conn, customer_ids=aggregates.of_industry(industry))
    among = industry if peers > MIN_PEERS else None  # too few to be peers, whoever bought
    result = compute(session, as_of=as_of, customer_ids={customer_id}, industry=among)
    if among is not None and (result.accounts["compared_with"] == BASE).any():
        result = compute(session, as_of=as_of, customer_ids={customer_id})
    return top(result, customer_id, n)
