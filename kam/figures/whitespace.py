"""Whitespace: what each key account buys per product category, and where it buys little or
nothing although comparable customers do (pure: frames in, frames out).

The rule, in margin terms throughout (T12M gross margin, never revenue):

- an account's **size** is its estimated wallet, else its T12M revenue;
- its **peers** are the other customers of its industry who bought in the window and have
  a size; when they are fewer than MIN_PEERS, the other such customers of the whole base;
- a peer's **rate** in a category is its category margin ÷ its size (0 where it buys none);
- the **opportunity** in a cell = median of the peers' rates × the account's size, minus
  the account's margin there, floored at 0;
- the account's total opportunity is set beside its wallet headroom (wallet − T12M revenue,
  not below 0) × its margin rate (T12M gross margin ÷ T12M revenue): what the rest of its
  wallet would bring at the margin it buys at today.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

#: Below this many peers in an industry, an account is compared with the whole base.
MIN_PEERS = 10
#: Where a size comes from.
WALLET, REVENUE = "wallet", "revenue"
#: Whom an account was compared with.
INDUSTRY, BASE = "industry", "base"


@dataclass(frozen=True)
class Whitespace:
    """The matrix of key accounts × categories and each account's totals."""

    categories: list[str]
    """The matrix's columns: every category the base bought in the window, by name."""
    margin: pd.DataFrame
    """Accounts (customer_id) × categories: the account's T12M gross margin (0: none)."""
    expected: pd.DataFrame
    """Accounts × categories: the peers' median rate × the account's size (NaN: no size)."""
    opportunity: pd.DataFrame
    """Accounts × categories: expected − margin, floored at 0 (0 without a size)."""
    accounts: pd.DataFrame
    """Per account (customer_id): name, industry, peers, compared_with (industry or base),
    size, size_basis (wallet or revenue; None without either), revenue, gross_margin,
    margin_rate, headroom, headroom_margin, opportunity (the row's total); the largest
    total opportunity first."""


def sizes(wallet: pd.Series, revenue: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each customer's size (estimated wallet when above 0, else T12M revenue when above 0,
    else NaN) and where it comes from."""
    wallet = wallet.astype(float)
    revenue = revenue.reindex(wallet.index).fillna(0.0).astype(float)
    by_wallet = wallet > 0
    size = wallet.where(by_wallet, revenue.where(revenue > 0))
    basis = pd.Series(None, index=wallet.index, dtype=object)
    basis[by_wallet] = WALLET
    basis[~by_wallet & (revenue > 0)] = REVENUE
    return size, basis


def whitespace(
    margins: pd.DataFrame, customers: pd.DataFrame, accounts: Collection[int]
) -> Whitespace:
    """The whitespace matrix of `accounts` (customer ids).

    `margins`: customer_id, category, margin (T12M gross margin per customer and category).
    `customers`: indexed by customer_id, every customer of the base: name, industry,
    estimated_wallet, revenue and gross_margin (T12M; 0 or NaN when it bought nothing).
    """
    revenue = customers["revenue"].fillna(0.0).astype(float)
    gross = customers["gross_margin"].fillna(0.0).astype(float)
    size, basis = sizes(customers["estimated_wallet"], revenue)
    table = margins.groupby(["customer_id", "category"])["margin"].sum().unstack(fill_value=0.0)
    categories = sorted(str(c) for c in table.columns)
    table = table.reindex(index=customers.index, columns=categories, fill_value=0.0).astype(float)
    # Peers: customers who bought in the window and have a size.
    eligible = (revenue > 0) & size.notna()
    rates = table[eligible.to_numpy()].div(size[eligible], axis=0)
    industry = customers["industry"].fillna("").astype(str)

    ids = [i for i in customers.index if i in set(accounts)]
    margin = table.loc[ids]
    expected = pd.DataFrame(float("nan"), index=margin.index, columns=categories)
    peers_count: dict[int, int] = {}
    scope: dict[int, str] = {}
    for cid in ids:
        others = rates.index != cid
        same = others & (industry.reindex(rates.index) == industry[cid]).to_numpy()
        chosen, scope[cid] = (same, INDUSTRY) if same.sum() >= MIN_PEERS else (others, BASE)
        peers_count[cid] = int(chosen.sum())
        if peers_count[cid] and size[cid] == size[cid]:  # a size (not NaN)
            expected.loc[cid] = rates[chosen].median() * size[cid]
    opportunity = (expected - margin).clip(lower=0).fillna(0.0)

    rate = (gross / revenue.where(revenue != 0)).reindex(ids)
    wallet = customers["estimated_wallet"].astype(float).reindex(ids)
    headroom = wallet - revenue.reindex(ids)
    rows = pd.DataFrame(
        {
            "name": customers["name"].reindex(ids),
            "industry": industry.reindex(ids),
            "peers": pd.Series(peers_count, dtype="int64").reindex(ids),
            "compared_with": pd.Series(scope, dtype=object).reindex(ids),
            "size": size.reindex(ids),
            "size_basis": basis.reindex(ids),
            "revenue": revenue.reindex(ids),
            "gross_margin": gross.reindex(ids),
            "margin_rate": rate,
            "headroom": headroom,
            "headroom_margin": headroom.clip(lower=0) * rate,
            "opportunity": opportunity.sum(axis=1),
        },
        index=pd.Index(ids, name="customer_id"),
    )
    rows = rows.sort_values(["opportunity", "name"], ascending=[False, True], kind="stable")
    order = rows.index
    return Whitespace(
        categories,
        margin.reindex(order),
        expected.reindex(order),
        opportunity.reindex(order),
        rows,
    )


def top_opportunities(result: Whitespace, customer_id: int, n: int = 3) -> list[tuple[str, float]]:
    """An account's `n` largest opportunities above 0, (category, amount), largest first."""
    if customer_id not in result.opportunity.index:
        return []
    row = result.opportunity.loc[customer_id]
    row = row[row > 0].sort_values(ascending=False, kind="stable")
    return [(str(k), float(v)) for k, v in row.head(n).items()]
