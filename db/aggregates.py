"""The figures' reads: sums the database computes (GROUP BY, the date window in WHERE), so
what reaches pandas scales with customers and periods, not with sales lines, and a team's
PostgreSQL carries the load.

Each function returns plain tuples, in the column order of its *_COLUMNS constant;
kam.figures turns them into frames. Dates arrive as `date` objects or ISO text (SQLite),
which the caller parses.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine, Select, Table

R = TypeVar("R")

WINDOW_SALES_COLUMNS = ["customer_id", "revenue", "cost_of_goods", "orders", "last_sold_on"]
WINDOW_PROFIT_COLUMNS = WINDOW_SALES_COLUMNS[:3]
WINDOW_COST_COLUMNS = ["customer_id", "category", "amount"]
WINDOW_COST_TOTAL_COLUMNS = ["customer_id", "amount"]
YEAR_SALES_COLUMNS = ["customer_id", "year", "revenue", "cost_of_goods"]
YEAR_COST_COLUMNS = ["customer_id", "year", "amount"]
BUYING_YEAR_COLUMNS = ["customer_id", "year"]
CUSTOMER_COLUMNS = ["customer_id", "name", "estimated_wallet"]
OVERRIDE_COLUMNS = ["customer_id", "retention_override", "margin_override"]


def _table(model: type) -> Table:
    """A model's Core table (its columns are typed, unlike the model's attributes)."""
    from sqlalchemy import inspect

    return cast("Table", inspect(model).local_table)


def _rows(conn: Connection, statement: Select[Any]) -> list[tuple[Any, ...]]:
    """Every row as a plain tuple, fetched at once (no per-row Row objects kept)."""
    return [tuple(row) for row in conn.execute(statement).fetchall()]


def _plain_rows(conn: Connection, statement: Select[Any]) -> list[tuple[Any, ...]]:
    """Every row as the driver gives it (a tuple), without SQLAlchemy's rows or its
    conversion of values: for reads of many rows whose columns the drivers give alike
    (integers, text), such as a million purchase days (0.9 s less of 2.6 s)."""
    result = conn.execute(statement)
    try:
        return cast(list[tuple[Any, ...]], result.cursor.fetchall())
    finally:
        result.close()


def at_once(conn: Connection, reads: Sequence[Callable[[Connection], R]]) -> list[R]:
    """The results of `reads`, each given a connection: the first on `conn`, the others at
    the same time on connections of their own, where the database has them to give (a file
    or a server, not an in-memory SQLite). The database executes a query without holding
    Python's interpreter, so on a second core the whole base's sums overlap instead of
    following each other.

    A writing session's connection (db.engine.write_session) does them all itself: the
    other connections would see what is committed, not what it has written since."""
    from db.engine import BEGIN_OPTION

    writing = conn.get_execution_options().get(BEGIN_OPTION) is not None
    if len(reads) < 2 or writing or not _has_other_connections(conn.engine):
        return [read(conn) for read in reads]
    from concurrent.futures import ThreadPoolExecutor

    engine = conn.engine

    def on_its_own(read: Callable[[Connection], R]) -> R:
        with engine.connect() as own:
            return read(own)

    with ThreadPoolExecutor(max_workers=len(reads) - 1) as pool:
        later = [pool.submit(on_its_own, read) for read in reads[1:]]
        first = reads[0](conn)
        return [first, *(f.result() for f in later)]


def _has_other_connections(engine: Engine) -> bool:
    """Whether a second connection reaches the same data (an in-memory SQLite is one
    connection's own)."""
    from db.engine import sqlite_on_disk

    return engine.dialect.name != "sqlite" or sqlite_on_disk(engine.url.database)


def _customer(conn: Connection, column: Any, ids: Collection[int] | Select[Any] | None) -> Any:
    """The customer column a whole-base sum groups by. SQLite reads the table through in
    its own order faster than it walks the (customer_id, date) index and looks each line up
    (about 1.6× over 1M–3M lines), so over the whole base `customer_id + 0` keeps its
    planner off that index; for some customers the index finds their lines."""
    if ids is None and conn.dialect.name == "sqlite":
        from sqlalchemy import literal_column

        return (column + literal_column("0")).label(column.name)
    return column


def _some(
    statement: Select[Any], column: Any, ids: Collection[int] | Select[Any] | None
) -> Select[Any]:
    """`statement` kept to the customers `ids`: listed, or a query of their ids."""
    from sqlalchemy import Select

    if ids is None:
        return statement
    if isinstance(ids, Select):
        return statement.where(column.in_(ids))
    return statement.where(column.in_(list(ids) or [-1]))


def of_industry(industry: str) -> Select[Any]:
    """The ids of the customers of one industry, as a query (for `customer_ids=`)."""
    from sqlalchemy import select

    from db.tables import CUSTOMER

    return select(CUSTOMER.c.id).where(CUSTOMER.c.industry == industry)


def window_sales(
    conn: Connection,
    first: date,
    last: date,
    *,
    customer_ids: Collection[int] | Select[Any] | None = None,
    detail: bool = True,
) -> list[tuple[Any, ...]]:
    """Per customer, over [first, last]: revenue, cost of goods, orders (distinct order ids;
    a line without one is its own order; a return, a line of negative revenue, is no order)
    and the last day bought (a day with only returns is not one) (WINDOW_SALES_COLUMNS);
    without `detail`, revenue and cost of goods alone (WINDOW_PROFIT_COLUMNS: counting
    distinct orders is half the query's work, and profit does not need it)."""
    from sqlalchemy import case, func, select

    from db.tables import SALES_LINE

    T = SALES_LINE.c

    sale = T.revenue >= 0
    lone = func.sum(case((((T.order_id.is_(None)) | (T.order_id == "")) & sale, 1), else_=0))
    details = (
        [
            func.count(func.distinct(case((sale, func.nullif(T.order_id, ""))))) + lone,
            func.max(case((sale, T.sold_on))),
        ]
        if detail
        else []
    )
    key = _customer(conn, T.customer_id, customer_ids)
    statement = (
        select(key, func.sum(T.revenue), func.sum(T.cost_of_goods), *details)
        .where(T.sold_on >= first, T.sold_on <= last)
        .group_by(key)
    )
    return _rows(conn, _some(statement, T.customer_id, customer_ids))


def window_costs(
    conn: Connection, first: date, last: date, *, customer_ids: Collection[int] | None = None
) -> list[tuple[Any, ...]]:
    """Cost to serve per customer and category over [first, last] (WINDOW_COST_COLUMNS)."""
    from sqlalchemy import func, select

    from db.models import ServiceCost

    C = _table(ServiceCost).c

    key = _customer(conn, C.customer_id, customer_ids)
    statement = (
        select(key, C.category, func.sum(C.amount))
        .where(C.incurred_on >= first, C.incurred_on <= last)
        .group_by(key, C.category)
    )
    return [
        (cid, getattr(category, "value", category), amount)
        for cid, category, amount in _rows(conn, _some(statement, C.customer_id, customer_ids))
    ]


def window_cost_totals(conn: Connection, first: date, last: date) -> list[tuple[Any, ...]]:
    """Cost to serve per customer over [first, last], every category together
    (WINDOW_COST_TOTAL_COLUMNS): what profit needs, in a row a customer rather than one a
    customer and category."""
    from sqlalchemy import func, select

    from db.tables import SERVICE_COST

    C = SERVICE_COST.c

    key = _customer(conn, C.customer_id, None)
    statement = (
        select(key, func.sum(C.amount))
        .where(C.incurred_on >= first, C.incurred_on <= last)
        .group_by(key)
    )
    return _rows(conn, statement)


def yearly_sales(
    conn: Connection, until: date, *, customer_ids: Collection[int] | None = None
) -> list[tuple[Any, ...]]:
    """Revenue and cost of goods per customer and calendar year up to `until`
    (YEAR_SALES_COLUMNS)."""
    from sqlalchemy import Integer, cast, extract, func, select

    from db.models import Transaction

    T = _table(Transaction).c

    year = cast(extract("year", T.sold_on), Integer)
    key = _customer(conn, T.customer_id, customer_ids)
    statement = (
        select(key, year, func.sum(T.revenue), func.sum(T.cost_of_goods))
        .where(T.sold_on <= until)
        .group_by(key, year)
    )
    return _rows(conn, _some(statement, T.customer_id, customer_ids))


def buying_years(conn: Connection, until: date) -> list[tuple[Any, ...]]:
    """Each (customer_id, calendar year) with a purchase up to `until` (a sales line of
    revenue 0 or more: a return is no purchase) (BUYING_YEAR_COLUMNS); on SQLite (dates
    stored as ISO text) the year is their first four characters."""
    from sqlalchemy import Integer, cast, extract, func, select

    from db.tables import SALES_LINE

    T = SALES_LINE.c
    if conn.dialect.name == "sqlite":
        year = cast(func.substr(T.sold_on, 1, 4), Integer)
    else:
        year = cast(extract("year", T.sold_on), Integer)
    statement = (
        select(T.customer_id, year.label("year"))
        .where(T.sold_on <= until, T.revenue >= 0)
        .group_by(T.customer_id, year)
    )
    return _rows(conn, statement)


def yearly_costs(
    conn: Connection, until: date, *, customer_ids: Collection[int] | None = None
) -> list[tuple[Any, ...]]:
    """Cost to serve per customer and calendar year up to `until` (YEAR_COST_COLUMNS)."""
    from sqlalchemy import Integer, cast, extract, func, select

    from db.models import ServiceCost

    C = _table(ServiceCost).c

    year = cast(extract("year", C.incurred_on), Integer)
    key = _customer(conn, C.customer_id, customer_ids)
    statement = (
        select(key, year, func.sum(C.amount)).where(C.incurred_on <= until).group_by(key, year)
    )
    return _rows(conn, _some(statement, C.customer_id, customer_ids))


def retention_counts(
    conn: Connection, before_first: date, first: date, last: date
) -> tuple[int, int]:
    """(how many customers bought between before_first and the day before `first`, how
    many of them bought again between `first` and `last`): the base's retention,
    counted in the database (a return, a line of negative revenue, is no purchase). Each
    customer is two lookups in the (customer_id, sold_on) index rather than a pass over
    two years of sales lines."""
    from sqlalchemy import and_, case, exists, func, select

    from db.tables import CUSTOMER, SALES_LINE

    c = CUSTOMER.c
    year_before, window = SALES_LINE.alias("year_before"), SALES_LINE.alias("window")
    was = exists().where(
        year_before.c.customer_id == c.id,
        year_before.c.sold_on >= before_first,
        year_before.c.sold_on < first,
        year_before.c.revenue >= 0,
    )
    still = exists().where(
        window.c.customer_id == c.id,
        window.c.sold_on >= first,
        window.c.sold_on <= last,
        window.c.revenue >= 0,
    )
    each = (
        select(
            case((was, 1), else_=0).label("was"),
            case((and_(was, still), 1), else_=0).label("again"),
        )
        .select_from(CUSTOMER)
        .subquery()
    )
    before, again = conn.execute(
        select(func.coalesce(func.sum(each.c.was), 0), func.coalesce(func.sum(each.c.again), 0))
    ).one()
    return int(before), int(again)


def customers(
    conn: Connection, *, customer_ids: Collection[int] | None = None
) -> list[tuple[Any, ...]]:
    """Customers (CUSTOMER_COLUMNS), some or all."""
    from sqlalchemy import select

    from db.tables import CUSTOMER

    c = CUSTOMER.c
    statement = select(c.id, c.name, c.estimated_wallet)
    return _rows(conn, _some(statement, c.id, customer_ids))


def customer_count(
    conn: Connection, *, customer_ids: Collection[int] | Select[Any] | None = None
) -> int:
    """How many customers there are (of `customer_ids`, when given)."""
    from sqlalchemy import func, select

    from db.tables import CUSTOMER

    statement = _some(select(func.count()).select_from(CUSTOMER), CUSTOMER.c.id, customer_ids)
    return int(conn.execute(statement).scalar_one())


def account_overrides(conn: Connection, *, statuses: Sequence[str]) -> list[tuple[Any, ...]]:
    """CLV overrides (OVERRIDE_COLUMNS) of the key accounts in `statuses`."""
    from sqlalchemy import select

    from db.tables import KEY_ACCOUNT

    k = KEY_ACCOUNT.c
    statement = select(k.customer_id, k.retention_override, k.margin_override).where(
        k.status.in_(list(statuses))
    )
    return _rows(conn, statement)


def account_statuses(conn: Connection, *, statuses: Sequence[str]) -> list[tuple[Any, ...]]:
    """(customer_id, status) of the key accounts in `statuses`, the status as text."""
    from sqlalchemy import select

    from db.tables import KEY_ACCOUNT

    k = KEY_ACCOUNT.c
    return _rows(conn, select(k.customer_id, k.status).where(k.status.in_(list(statuses))))


def purchase_days(
    conn: Connection, until: date, *, customer_ids: Collection[int] | None = None
) -> list[tuple[Any, ...]]:
    """(customer_id, day) of every purchase occasion up to `until` (a day with a sale; a day
    with only returns is not one), by customer and day: what the gaps between purchases
    are measured on. Scales with occasions, not lines. The day is its ordinal
    (`date.toordinal()`, computed by the database): turning a million stored dates into
    Python dates one by one took longer than the query."""
    from sqlalchemy import Integer, cast, func, literal_column, select

    from db.tables import SALES_LINE

    T = SALES_LINE.c
    if conn.dialect.name == "sqlite":  # julianday('0001-01-01') is 1721425.5, its ordinal 1
        ordinal = cast(func.julianday(T.sold_on) - 1721424.5, Integer)
    else:
        ordinal = cast(T.sold_on - literal_column("DATE '0001-01-01'") + 1, Integer)
    key = _customer(conn, T.customer_id, customer_ids)
    statement = (
        select(key, ordinal.label("day"))
        .where(T.sold_on <= until, T.revenue >= 0)
        .group_by(key, T.sold_on)
        .order_by(key, T.sold_on)
    )
    return _plain_rows(conn, _some(statement, T.customer_id, customer_ids))


def member_ids(conn: Connection, statuses: Sequence[str]) -> list[int]:
    """The customers with a key account in `statuses`."""
    from sqlalchemy import select

    from db.models import KeyAccount

    k = _table(KeyAccount).c
    return [
        row[0] for row in _rows(conn, select(k.customer_id).where(k.status.in_(list(statuses))))
    ]


PURCHASE_COLUMNS = [
    "customer_id", "occasions", "first_day", "last_day", "margin", "first_margin", "recent",
]  # fmt: skip


def purchase_occasions(conn: Connection, until: date, recent_from: date) -> list[tuple[Any, ...]]:
    """Per customer up to `until`, counting purchase occasions (distinct days with a sale; a
    day with only returns is not one): how many, the first and last, the gross margin of all
    of them and of the first, and how many fall on or after `recent_from`
    (PURCHASE_COLUMNS) — what the lifetime-value model is fitted on. One pass over the
    lines: the days are numbered per customer, the first day's margin summed where the
    number is 1 (a join of the days with their first would sum every line twice)."""
    from sqlalchemy import case, func, select

    from db.models import Transaction

    T = _table(Transaction).c

    key = _customer(conn, T.customer_id, None)
    days = (
        select(key, T.sold_on.label("day"), func.sum(T.revenue - T.cost_of_goods).label("margin"))
        .where(T.sold_on <= until)
        .group_by(key, T.sold_on)
        .having(func.max(case((T.revenue >= 0, 1), else_=0)) == 1)
        .subquery("days")
    )
    order = func.row_number().over(partition_by=days.c.customer_id, order_by=days.c.day)
    numbered = select(days, order.label("n")).subquery("numbered")
    d = numbered.c
    statement = select(
        d.customer_id,
        func.count().label("occasions"),
        func.min(d.day).label("first_day"),
        func.max(d.day).label("last_day"),
        func.sum(d.margin).label("margin"),
        func.sum(case((d.n == 1, d.margin), else_=0)).label("first_margin"),
        func.sum(case((d.day >= recent_from, 1), else_=0)).label("recent"),
    ).group_by(d.customer_id)
    return _rows(conn, statement)


def data_version(conn: Connection) -> tuple[Any, ...]:
    """What changes when sales or cost lines change: each table's count and highest id."""
    from sqlalchemy import func, select

    from db.tables import SALES_LINE, SERVICE_COST

    sales, costs = SALES_LINE.c, SERVICE_COST.c
    counted = [
        conn.execute(select(func.count(), func.coalesce(func.max(table.id), 0))).one()
        for table in (sales, costs)
    ]
    return tuple(value for row in counted for value in row)


def stored_fit(conn: Connection, key: str) -> tuple[int, str] | None:
    """(id, model) of the lifetime-value fit stored under `key`, if there is one."""
    from sqlalchemy import select

    from db.tables import VALUE_FIT

    f = VALUE_FIT.c
    found = _rows(conn, select(f.id, f.model).where(f.key == key))
    return (int(found[0][0]), str(found[0][1])) if found else None


def stored_values(
    conn: Connection, fit_id: int, model: str, *, customer_ids: Collection[int]
) -> list[tuple[Any, ...]]:
    """(customer_id, clv) of these customers under a stored fit, where the fit's `model`
    gave their figure."""
    from sqlalchemy import select

    from db.tables import CUSTOMER_VALUE

    v = CUSTOMER_VALUE.c
    statement = select(v.customer_id, v.clv).where(v.fit_id == fit_id, v.model == model)
    return _rows(conn, _some(statement, v.customer_id, customer_ids))


def clv_standing(
    conn: Connection, fit_id: int, customer_id: int, clv: float
) -> tuple[float, float]:
    """Where a CLV of `clv` for this customer stands among the others' positive CLV under a
    stored fit: (the sum of those ranked before it: larger, or equal with a smaller id; the
    sum of them all). The value tiers (kam.rules.outlook.tier_of) without reading every
    customer's figure."""
    from sqlalchemy import and_, case, func, or_, select

    from db.tables import CUSTOMER_VALUE

    v = CUSTOMER_VALUE.c
    ahead = or_(v.clv > clv, and_(v.clv == clv, v.customer_id < customer_id))
    statement = select(
        func.coalesce(func.sum(case((ahead, v.clv), else_=0.0)), 0.0),
        func.coalesce(func.sum(v.clv), 0.0),
    ).where(v.fit_id == fit_id, v.clv > 0, v.customer_id != customer_id)
    before, total = conn.execute(statement).one()
    return float(before), float(total)


def overdue_commitments(
    conn: Connection, as_of: date, *, customer_ids: Collection[int]
) -> list[tuple[Any, ...]]:
    """(customer_id, count) of commitments overdue at `as_of`: due before it and open then
    (still open, or closed only after it) — the health rule's count, per customer."""
    from sqlalchemy import func, or_, select

    from db.enums import CommitmentStatus
    from db.models import Commitment

    C = _table(Commitment).c

    statement = (
        select(C.customer_id, func.count())
        .where(
            C.due_on < as_of,
            or_(C.status == CommitmentStatus.OPEN, C.closed_on > as_of),
        )
        .group_by(C.customer_id)
    )
    return _rows(conn, _some(statement, C.customer_id, customer_ids))


REVIEW_DUE_COLUMNS = ["key_account_id", "reviewed_on", "set_due_on"]


def review_dates(
    conn: Connection, until: date, *, account_ids: Collection[int]
) -> list[tuple[Any, ...]]:
    """Every review up to `until` of the accounts, oldest first per account, with the due date
    the review before it had set (None for an account's first review) (REVIEW_DUE_COLUMNS):
    whether each review was on time."""
    from sqlalchemy import func, select

    from db.models import Review

    R = _table(Review).c

    previous = func.lag(R.next_review_on).over(
        partition_by=R.key_account_id, order_by=(R.reviewed_on, R.id)
    )
    statement: Select[Any] = select(R.key_account_id, R.reviewed_on, previous).where(
        R.reviewed_on <= until
    )
    statement = _some(statement, R.key_account_id, account_ids)
    return _rows(conn, statement.order_by(R.key_account_id, R.reviewed_on, R.id))


VISIT_GAP_COLUMNS = ["customer_id", "happened_on", "previous_on"]


def visit_dates(
    conn: Connection, until: date, *, customer_ids: Collection[int]
) -> list[tuple[Any, ...]]:
    """Every executive (sponsor) visit up to `until` to the customers, oldest first per
    customer, with the visit before it (None for the first) (VISIT_GAP_COLUMNS): whether each
    came within the visit cadence."""
    from sqlalchemy import func, select

    from db.enums import InteractionKind
    from db.models import Interaction

    V = _table(Interaction).c

    previous = func.lag(V.happened_on).over(
        partition_by=V.customer_id, order_by=(V.happened_on, V.id)
    )
    statement: Select[Any] = select(V.customer_id, V.happened_on, previous).where(
        V.kind == InteractionKind.EXECUTIVE_VISIT, V.happened_on <= until
    )
    statement = _some(statement, V.customer_id, customer_ids)
    return _rows(conn, statement.order_by(V.customer_id, V.happened_on, V.id))


CATEGORY_MARGIN_COLUMNS = ["customer_id", "category", "margin"]
PROFILE_COLUMNS = ["customer_id", "name", "industry", "estimated_wallet"]


def window_category_margins(
    conn: Connection,
    first: date,
    last: date,
    *,
    customer_ids: Collection[int] | Select[Any] | None = None,
) -> list[tuple[Any, ...]]:
    """Gross margin per customer and product category over [first, last]
    (CATEGORY_MARGIN_COLUMNS): a product's category from product_category, else the product
    itself; lines without a product are left out."""
    from sqlalchemy import func, select

    from db.models import ProductCategory, Transaction

    T = _table(Transaction).c
    P = _table(ProductCategory).c

    category = func.coalesce(P.category, T.product)
    statement = (
        select(T.customer_id, category, func.sum(T.revenue - T.cost_of_goods))
        .select_from(_table(Transaction).outerjoin(_table(ProductCategory), P.product == T.product))
        .where(T.sold_on >= first, T.sold_on <= last, T.product.is_not(None), T.product != "")
        .group_by(T.customer_id, category)
    )
    return _rows(conn, _some(statement, T.customer_id, customer_ids))


def customer_profiles(
    conn: Connection, *, customer_ids: Collection[int] | Select[Any] | None = None
) -> list[tuple[Any, ...]]:
    """Every customer's (or some customers') name, industry and estimated wallet
    (PROFILE_COLUMNS): whom a customer is compared with."""
    from sqlalchemy import select

    from db.models import Customer

    c = _table(Customer).c
    return _rows(
        conn, _some(select(c.id, c.name, c.industry, c.estimated_wallet), c.id, customer_ids)
    )
