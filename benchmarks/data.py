"""Realistic data for the benchmarks: a customers CSV, a sales-lines CSV, a cost-to-serve
CSV, and an XLSX of sales lines, made once per size and kept beside a manifest.

Spend is long-tailed (a Pareto weight per customer decides how often it orders), orders
hold one to twelve lines dated over three years up to the as-of day (more recent days a
little more likely), products come from a catalogue in twelve categories with their own
price levels and margins, about one line in two hundred is a return, and cost-to-serve
lines fall in kam's six categories.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

#: Bump when the generator changes: kept data made by another version is made again.
GENERATOR = 2

#: --size: (customers, sales lines); cost-to-serve lines are a tenth of the sales lines.
SIZES: dict[str, tuple[int, int]] = {
    "demo": (2_000, 100_000),
    "50k": (50_000, 1_000_000),
    "200k": (200_000, 3_000_000),
}

#: The sales-lines CSV's columns, with the types a plain PostgreSQL table gives them.
SALES_COLUMNS: tuple[tuple[str, str], ...] = (
    ("customer", "text"),
    ("date", "date"),
    ("revenue", "numeric"),
    ("cost_of_goods", "numeric"),
    ("quantity", "numeric"),
    ("product", "text"),
    ("order_id", "text"),
    ("line", "integer"),
)

INDUSTRIES = [
    "Manufacturing", "Retail", "Healthcare", "Logistics", "Energy", "Food & Beverage",
    "Construction", "Telecom", "Automotive", "Pharma", "Chemicals", "Public sector",
]  # fmt: skip
REGIONS = ["North", "South", "East", "West", "Central", "Asia-Pacific", "Export"]
COST_CATEGORIES = ["sales", "support", "logistics", "terms", "custom_work", "other"]
COST_MIX = [0.35, 0.25, 0.2, 0.1, 0.05, 0.05]
#: Product categories: (name, typical unit price, gross margin).
CATALOGUE = [
    ("Fasteners", 4.0, 0.42), ("Bearings", 38.0, 0.33), ("Hydraulics", 210.0, 0.28),
    ("Pneumatics", 95.0, 0.31), ("Electrical", 27.0, 0.36), ("Safety", 18.0, 0.45),
    ("Tools", 64.0, 0.38), ("Adhesives", 12.0, 0.47), ("Packaging", 2.5, 0.22),
    ("Lubricants", 22.0, 0.35), ("Filters", 31.0, 0.40), ("Spare parts", 140.0, 0.52),
]  # fmt: skip
PRODUCTS_PER_CATEGORY = 40

_FIRST = (
    "Acme Northwind Contoso Fabrikam Globex Initech Umbrella Vandelay Stark Wayne Tyrell "
    "Cyberdyne Hooli Soylent Wonka Aperture Gringotts Oceanic Monarch Nakatomi Massive "
    "Dunder Bluth Prestige Sterling Gekko Virtucon Ollivander Bergström Løvstad Château "
    "Polaris Meridian Atlas Beacon Cascade Summit Horizon Pinnacle Keystone Granite "
    "Evergreen Silverline Bluewater Redwood Ironbridge Goldcrest Nordic Baltic Alpine "
    "Pacific Atlantic Coastal Highland Lakeside Riverside Westfield Eastgate Southport "
    "Northgate Crescent Sovereign Imperial Regal Vanguard Frontier Pioneer Heritage "
    "Liberty Unity Triton Orion Vega Lyra Draco Phoenix Falcon Condor Osprey Kestrel"
).split()
_SURNAMES = (
    "Müller Schmidt Weber Fischer Wagner Becker Hoffmann Schulz Koch Richter Klein Wolf "
    "Neumann Schwarz Braun Hofmann Hartmann Lange Werner Krause Meier Lehmann Huber Kaiser "
    "Fuchs Peters Jung Keller Vogel Roth Smith Jones Taylor Brown Wilson Evans Thomas "
    "Roberts Walker Wright Hughes Edwards Green Hall Wood Harris Clarke Jackson Turner "
    "Martin Bernard Dubois Durand Lefebvre Moreau Laurent Simon Michel Garcia Rossi "
    "Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti "
    "Jansen Visser Bakker Janssen Mulder Bos Andersson Johansson Karlsson Nilsson "
    "Eriksson Larsson Olsen Hansen Nielsen Jensen Kowalski Nowak Novák Horváth Nagy"
).split()
_TRADE = (
    "Industries Logistics Foods Health Energy Retail Systems Works Holdings Supply "
    "Engineering Pharma Components Trading Labs Metals Plastics Textiles Chemicals "
    "Automation Electric Motors Packaging Machinery Instruments Tooling Steel Timber Glass "
    "Paper Ceramics Optics Robotics Marine Aviation Rail Freight Agri Dairy Beverages "
    "Bakeries Furniture Printing Medical Devices Solutions Services Partners Group Brothers"
).split()
_FORMS = ["Ltd", "GmbH", "AG", "S.A.", "Inc.", "plc", "B.V.", "Oy", "AB", "S.p.A.", "LLC", "KG",
          "A/S", "SE", "Sp. z o.o.", "N.V."]  # fmt: skip
_CITIES = (
    "Hamburg Bremen Leipzig Dresden Lyon Nantes Bordeaux Torino Verona Bergamo Leeds "
    "Bristol Glasgow Cardiff Dublin Cork Malmö Uppsala Aarhus Odense Bergen Tampere Graz "
    "Linz Basel Bern Gent Utrecht Eindhoven Porto Braga Sevilla Bilbao Zaragoza Kraków "
    "Gdańsk Brno Plzeň Győr Ljubljana Zagreb Tallinn Riga Vilnius Rotterdam Antwerp "
    "Marseille Toulouse Stuttgart Nürnberg"
).split()
_WIDE = (
    [f"{c}{w}{f}" for c in "北京 上海 深圳 广州 杭州 南京 成都 武汉 天津 苏州".split()
     for w in "燕京 华强 远洋 精密 重工 电子 医药 化工 物流 食品 纺织 机械".split()
     for f in ("有限公司", "集团", "股份有限公司")]
    + [f"株式会社{c}{w}" for c in "山田 田中 佐藤 鈴木 高橋 渡辺 伊藤 中村".split()
       for w in "製作所 精密工業 化学 物産 商事 電機".split()]
    + [f"ООО «{a} {b}»" for a in "Северсталь Уралхим Волга Сибирь Балтика Кама Дон".split()
       for b in "Сервис Трейд Логистик Инжиниринг Пром".split()]
    + [f"{a} {b} Α.Ε." for a in "Δέλτα Άλφα Όμικρον Σίγμα Κάππα".split()
       for b in "Τροφίμων Εμπορίου Βιομηχανίας Μεταφορών".split()]
)  # fmt: skip


@dataclass(frozen=True)
class Spec:
    """What to make: how many customers, sales lines and cost-to-serve lines."""

    label: str
    customers: int
    lines: int
    costs: int
    seed: int = 11

    @classmethod
    def of(cls, size: str, customers: int | None = None, lines: int | None = None) -> Spec:
        """A named size (demo, 50k, 200k), with --customers/--rows overriding its counts."""
        base_customers, base_lines = SIZES[size]
        c, n = customers or base_customers, lines or base_lines
        custom = (c, n) != (base_customers, base_lines)
        return cls(f"{size}-custom-{c}-{n}" if custom else size, c, n, max(1, n // 10))

    def describe(self) -> str:
        """'50,000 customers, 1,000,000 sales lines (+100,000 cost lines)'."""
        return (f"{self.customers:,} customers, {self.lines:,} sales lines "
                f"(+{self.costs:,} cost lines)")  # fmt: skip


@dataclass(frozen=True)
class Dataset:
    """A made size: its files and the day its data runs up to."""

    spec: Spec
    folder: Path
    as_of: date

    @property
    def customers_csv(self) -> Path:
        return self.folder / "customers.csv"

    def customer_names(self, count: int) -> list[str]:
        """The first `count` customers' names in the customers file."""
        import csv
        from itertools import islice

        with self.customers_csv.open(encoding="utf-8", newline="") as f:
            return [row["name"] for row in islice(csv.DictReader(f), count)]

    @property
    def sales_csv(self) -> Path:
        return self.folder / "transactions.csv"

    @property
    def costs_csv(self) -> Path:
        return self.folder / "costs.csv"

    def xlsx(self, rows: int) -> Path:
        """The first `rows` sales lines as an XLSX workbook (made once, then kept)."""
        path = self.folder / f"transactions-{rows}.xlsx"
        if not path.exists():
            write_xlsx(self.sales_csv, path, rows)
        return path


def ensure(spec: Spec, root: Path, as_of: date | None = None) -> Dataset:
    """The dataset for `spec` under `root`, made unless a matching one is there already."""
    folder = root / "data" / spec.label
    manifest = folder / "manifest.json"
    wanted = {"generator": GENERATOR, **asdict(spec)}
    if manifest.exists():
        found = json.loads(manifest.read_text())
        if {k: found.get(k) for k in wanted} == wanted:
            return Dataset(spec, folder, date.fromisoformat(found["as_of"]))
    folder.mkdir(parents=True, exist_ok=True)
    day = as_of or date.today()
    generate(spec, folder, day)
    manifest.write_text(json.dumps({**wanted, "as_of": day.isoformat()}, indent=1))
    return Dataset(spec, folder, day)


def company_names(rng, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """`n` distinct company names (case-insensitively), about one in 25 non-Latin."""
    patterns = [
        (lambda a, b, c: f"{_FIRST[a]} {_TRADE[b]} {_FORMS[c]}", (_FIRST, _TRADE, _FORMS)),
        (lambda a, b, c: f"{_SURNAMES[a]} & {_SURNAMES[b]} {_FORMS[c]}",
         (_SURNAMES, _SURNAMES, _FORMS)),
        (lambda a, b, c: f"{_CITIES[a]} {_TRADE[b]} {_FORMS[c]}", (_CITIES, _TRADE, _FORMS)),
        (lambda a, b, c: f"{_FIRST[a]} {_SURNAMES[b]} {_FORMS[c]}", (_FIRST, _SURNAMES, _FORMS)),
    ]  # fmt: skip
    sizes = [len(x) * len(y) * len(z) for _, (x, y, z) in patterns]
    wide = min(n // 25, len(_WIDE))
    picks = rng.choice(sum(sizes), n - wide, replace=False)
    names: list[str] = [_WIDE[i] for i in rng.choice(len(_WIDE), wide, replace=False)]
    starts = [sum(sizes[:k]) for k in range(len(sizes))]
    for pick in picks.tolist():
        k = max(i for i, s in enumerate(starts) if s <= pick)
        make, (_, y, z) = patterns[k]
        rest = pick - starts[k]
        names.append(make(rest // (len(y) * len(z)), rest // len(z) % len(y), rest % len(z)))
    rng.shuffle(names)
    seen: set[str] = set()
    for i, name in enumerate(names):  # two patterns can spell one name: number the second
        unique, k = name, 2
        while unique.lower() in seen:
            unique, k = f"{name} {k}", k + 1
        seen.add(unique.lower())
        names[i] = unique
    return names


def generate(spec: Spec, folder: Path, as_of: date) -> None:
    """Write customers.csv, transactions.csv and costs.csv for `spec` into `folder`."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(spec.seed)
    n = spec.customers
    codes = np.char.add("C", np.char.zfill(np.arange(1, n + 1).astype(str), 7))
    weight = rng.pareto(1.16, n) + 0.02  # how often each customer orders: the long tail
    discount = rng.uniform(0.0, 0.15, n)
    wallet = np.round(weight / weight.mean() * 40_000 * rng.uniform(1.2, 4.0, n) + 2_000, 2)
    status = rng.choice(["active", "inactive", "prospect"], n, p=[0.92, 0.05, 0.03])
    customers = {
        "name": company_names(rng, n),
        "code": codes,
        "industry": rng.choice(INDUSTRIES, n),
        "region": rng.choice(REGIONS, n),
        "status": status,
        "estimated_wallet": wallet,
    }
    write = pacsv.WriteOptions(quoting_style="needed")
    pacsv.write_csv(pa.table(customers), folder / "customers.csv", write)

    # Orders: a customer each (by weight) and a day, sorted by day and numbered in order.
    sizes = np.minimum(rng.geometric(0.45, spec.lines // 2 + 10), 12)
    orders = int(np.searchsorted(np.cumsum(sizes), spec.lines)) + 1
    sizes = sizes[:orders]
    sizes[-1] -= int(sizes.sum()) - spec.lines
    days_ago = np.sort((1095 * (1 - rng.power(1.15, orders))).astype(int))[::-1]
    who = rng.choice(n, orders, p=weight / weight.sum())
    per_line = np.repeat(np.arange(orders), sizes)
    line = np.arange(spec.lines) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 1
    order_ids = np.char.add("SO", np.char.zfill(np.arange(1, orders + 1).astype(str), 8))

    products = len(CATALOGUE) * PRODUCTS_PER_CATEGORY
    category = np.repeat(np.arange(len(CATALOGUE)), PRODUCTS_PER_CATEGORY)
    price = np.array([c[1] for c in CATALOGUE])[category] * rng.lognormal(0, 0.5, products)
    margin = np.array([c[2] for c in CATALOGUE])[category]
    names = np.array([f"{CATALOGUE[c][0]} {k % PRODUCTS_PER_CATEGORY + 1:03d}"
                      for k, c in enumerate(category)])  # fmt: skip
    popularity = 1 / np.arange(1, products + 1) ** 0.8
    product = rng.permutation(products)[rng.choice(products, spec.lines,
                                                   p=popularity / popularity.sum())]  # fmt: skip
    cust = who[per_line]
    quantity = 1 + rng.geometric(0.12, spec.lines)
    revenue = np.round(quantity * price[product] * (1 - discount[cust]), 2)
    line_margin = np.clip(margin[product] + rng.normal(0, 0.05, spec.lines), 0.02, 0.7)
    cost = np.round(revenue * (1 - line_margin), 2)
    returned = rng.random(spec.lines) < 0.005
    sign = np.where(returned, -1, 1)
    day = np.datetime64(as_of.isoformat(), "D") - days_ago[per_line]
    sales = {
        "customer": codes[cust],
        "date": day.astype(str),
        "revenue": revenue * sign,
        "cost_of_goods": cost * sign,
        "quantity": quantity * sign,
        "product": names[product],
        "order_id": order_ids[per_line],
        "line": line,
    }
    assert list(sales) == [c for c, _ in SALES_COLUMNS]
    pacsv.write_csv(pa.table(sales), folder / "transactions.csv", write)

    # Cost to serve: mostly where the business is, plus a tail of small customers served
    # at a loss.
    m = spec.costs
    active = np.where(rng.random(m) < 0.7, rng.choice(n, m, p=weight / weight.sum()),
                      rng.integers(0, n, m))  # fmt: skip
    cost_day = np.datetime64(as_of.isoformat(), "D") - rng.integers(0, 1095, m)
    costs = {
        "customer": codes[active],
        "date": cost_day.astype(str),
        "category": rng.choice(COST_CATEGORIES, m, p=COST_MIX),
        "amount": np.round(rng.lognormal(5.5, 0.9, m), 2),
    }
    pacsv.write_csv(pa.table(costs), folder / "costs.csv", write)


def write_xlsx(sales_csv: Path, path: Path, rows: int) -> None:
    """The first `rows` sales lines as a workbook: dates as date cells, numbers as numbers."""
    import pandas as pd
    import xlsxwriter

    frame = pd.read_csv(sales_csv, nrows=rows, parse_dates=["date"])
    partial = path.with_suffix(".partial.xlsx")
    book = xlsxwriter.Workbook(str(partial), {"constant_memory": True})
    sheet = book.add_worksheet("Sales")
    dated = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, list(frame.columns))
    when = frame.columns.get_loc("date")
    for r, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        sheet.write_row(r, 0, values[:when])
        sheet.write_datetime(r, when, values[when].to_pydatetime(), dated)
        sheet.write_row(r, when + 1, values[when + 1 :])
    book.close()
    partial.rename(path)
