"""One output convention for every command: JSON shapes, CSV, and lists that say when cut.

The commands are enumerated from the Typer app itself: a new command with `--json` fails
the first test until it is listed below as a list, a record or a write.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from kam.cli import output
from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import commands, listed, ok, parsed, usage_error
from tests.support import add_small_base

ACME = "Acme [/b] Ltd"
BEER = "北京燕京啤酒"
AS_OF = "2026-06-30"
METRICS = ("profit", "pareto", "wallet", "rfm", "retention", "clv", "churn", "tiers")

#: The fixture's story happens on AS_OF (its review and training are dated before it).
pytestmark = pytest.mark.today(AS_OF)

#: Every read command that prints a list, with the arguments to run it on the fixture.
LISTS: list[tuple[str, ...]] = [
    ("account", "list"),
    ("account", "list", "--closed"),
    ("account", "health", "--as-of", AS_OF),
    ("account", "health", ACME, "--as-of", AS_OF),
    ("account", "health", ACME, "--history", "--as-of", AS_OF),
    ("customer", "list"),
    ("user", "list"),
    ("audit",),
    ("criteria", "list"),
    ("review", "due", "--as-of", AS_OF),
    ("review", "show", ACME, "--all"),
    ("practice", "list"),
    ("sponsor", "list"),
    ("sponsor", "overdue", "--as-of", AS_OF),
    ("manager", "list"),
    ("manager", "scorecard", "--as-of", AS_OF),
    ("sponsor", "scorecard", "--as-of", AS_OF),
    ("contact", "list", ACME),
    ("interaction", "list", ACME),
    ("commitment", "list", ACME),
    ("complaint", "list", ACME),
    *[("metrics", name, "--as-of", AS_OF) for name in METRICS],
    ("metrics", "break-even", "--as-of", AS_OF),
    ("metrics", "whitespace", "--as-of", AS_OF),
]
#: Every read command that prints one record.
RECORDS: list[tuple[str, ...]] = [
    ("account", "show", ACME, "--as-of", AS_OF),
    ("account", "assessment", BEER),
    ("customer", "show", ACME),
    ("programme", "show"),
    ("review", "show", ACME),
    ("manager", "show", "mia"),
    ("db", "status"),
    ("plan", "show", ACME),
    ("contact", "map", ACME),
    ("db", "check"),
    ("audit", "verify"),
    ("audit", "anchor"),
    ("metrics", "what-if", "--retention", "5", "--as-of", AS_OF),
]
#: Commands whose `--json` prints what they wrote (a batch or an import: its report);
#: `criteria set|add|remove` print the new criteria set, as a list.
WRITES = {
    "init", "demo", "batch", "snapshot",
    "account add", "account update", "account nominate", "account assess", "account admit",
    "account reject", "account retire",
    "customer add", "user add", "user role",
    "import customers", "import transactions", "import costs", "import categories",
    "criteria set", "criteria add", "criteria remove", "programme set",
    "review record", "practice add", "db backup", "db restore",
    "sponsor assign", "sponsor visit", "manager skills", "manager train", "manager assign",
    "plan edit", "plan goal add", "plan goal edit", "plan objective add", "plan objective update",
    "plan action add", "plan action update", "plan action done", "plan comment", "plan carry",
    "contact add", "contact update", "contact counterpart",
    "interaction add", "interaction update", "commitment add", "commitment update",
    "complaint add", "complaint update", "complaint advance", "import contacts",
    "export customers", "export transactions", "export costs", "export contacts",
    "export accounts",
}  # fmt: skip


def _path(args: tuple[str, ...]) -> str:
    """The command an invocation runs: "account list" of ("account", "list", "--closed")."""
    names = {name for name, _ in commands()}
    return next(" ".join(args[:n]) for n in (3, 2, 1) if " ".join(args[:n]) in names)


def test_every_command_with_json_is_a_list_a_record_or_a_write() -> None:
    with_json = {name for name, options in commands() if "--json" in options}
    lists = {_path(args) for args in LISTS}
    records = {_path(args) for args in RECORDS}

    assert with_json == lists | records | WRITES, "classify the new command in this module"
    assert not WRITES & (lists | records)


def test_every_list_command_offers_csv_and_no_other_does() -> None:
    with_csv = {name for name, options in commands() if "--csv" in options}

    assert with_csv == {_path(args) for args in LISTS}


@pytest.fixture
def filled(cli_db: Database, kam: Kam) -> Database:
    """The cast, the small base, and one of everything the read commands show."""
    add_small_base(cli_db)
    ok(kam("account", "assess", BEER, "--as-of", AS_OF))
    scores = [f"--{kind}={name}={value}" for name in
              ("strategic_fit", "advocacy", "relationship_loyalty")
              for kind, value in (("score", "3"), ("comment", "Steady"))]  # fmt: skip
    ok(kam("review", "record", ACME, "--perceived", "8", "--expected", "7",
           "--decision", "retain", "--date", AS_OF, *scores))  # fmt: skip
    ok(kam("practice", "add", "Joint business plan", "--tag", "planning"))
    ok(kam("manager", "train", "mia", "--course", "Negotiation", "--date", "2026-01-10"))
    return cli_db


def test_every_read_command_prints_json_in_the_one_convention(kam: Kam, filled: Database) -> None:
    problems = []
    for args in LISTS:
        data = parsed(kam(*args, "--json"))
        if not (
            isinstance(data, dict)
            and isinstance(data.get("rows"), list)
            and all(isinstance(row, dict) for row in data["rows"])
            and isinstance(data.get("total"), int)
            and data["total"] >= len(data["rows"])
        ):
            problems.append(f"{' '.join(args)}: not {{total, rows}}: {str(data)[:200]}")
    for args in RECORDS:
        data = parsed(kam(*args, "--json"))
        if not isinstance(data, dict) or "rows" in data:
            problems.append(f"{' '.join(args)}: not a record: {str(data)[:200]}")

    assert problems == []


def test_lists_with_a_date_say_which_date(kam: Kam, filled: Database) -> None:
    for args in LISTS:
        if "--as-of" in args:
            assert parsed(kam(*args, "--json"))["as_of"] == AS_OF, args
    report = parsed(kam("metrics", "pareto", "--as-of", AS_OF, "--json"))
    assert report["report"] == "pareto" and report["summary"]["customers"] == 3


def test_every_list_prints_csv_headed_by_its_json_keys(kam: Kam, filled: Database) -> None:
    for args in LISTS:
        rows = listed(kam(*args, "--json"))
        table = list(csv.reader(io.StringIO(ok(kam(*args, "--csv")).stdout)))

        header, *lines = table
        if rows:
            assert header == list(rows[0]), args
        assert len(lines) == len(rows), args


def test_an_empty_list_still_prints_its_csv_header(kam: Kam, cli_db: Database) -> None:
    out = ok(kam("practice", "list", "--csv")).stdout

    assert out == "id,title,description,source,tags\n"
    assert listed(kam("practice", "list", "--json")) == []


def test_csv_is_utf8_with_formulas_neutralised_and_nested_values_as_json(
    kam: Kam, cli_db: Database
) -> None:
    ok(kam("customer", "add", "=HYPERLINK(1)", "--industry", "@risk", "--wallet", "12.5"))

    out = ok(kam("customer", "list", "--csv")).stdout
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(out))}

    assert rows["'=HYPERLINK(1)"]["industry"] == "'@risk"
    assert rows["'=HYPERLINK(1)"]["estimated_wallet"] == "12.5"
    assert rows[BEER]["account_status"] == "nominated"
    health = list(csv.DictReader(io.StringIO(ok(kam("account", "health", "--csv")).stdout)))
    assert all(isinstance(json.loads(r["reasons"]), list) for r in health)


@pytest.mark.parametrize("args", LISTS, ids=" ".join)
def test_json_and_csv_together_is_a_usage_error_naming_both(
    kam: Kam, cli_db: Database, args: tuple[str, ...]
) -> None:
    assert "Invalid value for '--json' / '--csv'" in usage_error(kam(*args, "--json", "--csv"))


def test_a_limited_customer_list_says_how_many_it_left_out(kam: Kam, cli_db: Database) -> None:
    result = ok(kam("customer", "list", "--limit", "2", "--json"))

    assert (len(parsed(result)["rows"]), parsed(result)["total"]) == (2, 3)
    assert "Showing 2 of 3; --all for every row." in result.stderr
    every = ok(kam("customer", "list", "--limit", "2", "--all", "--json"))
    assert (len(parsed(every)["rows"]), parsed(every)["total"]) == (3, 3)
    assert every.stderr == ""
    assert ok(kam("customer", "list")).stderr == ""  # all three fit: nothing to say


def test_the_customer_total_counts_the_matching_rows_only(kam: Kam, cli_db: Database) -> None:
    result = parsed(kam("customer", "list", "--search", "l", "--limit", "1", "--json"))

    # "Acme [/b] Ltd" and "Plain Prospect GmbH" contain an l; 北京燕京啤酒 does not.
    assert (len(result["rows"]), result["total"]) == (1, 2)


def test_a_limited_audit_says_how_many_it_left_out(kam: Kam, cli_db: Database) -> None:
    ok(kam("account", "update", ACME, "--reason", "One"))
    ok(kam("account", "update", ACME, "--reason", "Two"))

    result = ok(kam("audit", "--limit", "1", "--csv"))

    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 1
    assert "Showing 1 of 2; --all for every row." in result.stderr
    assert len(listed(kam("audit", "--limit", "1", "--all", "--json"))) == 2


def test_metrics_top_says_how_many_rows_it_left_out(kam: Kam, cli_db: Database) -> None:
    add_small_base(cli_db)

    result = ok(kam("metrics", "profit", "--as-of", AS_OF, "--top", "1", "--json"))

    assert (len(parsed(result)["rows"]), parsed(result)["total"]) == (1, 3)
    assert "Showing 1 of 3; without --top for every row." in result.stderr


def test_the_note_counts_in_thousands(capsys: pytest.CaptureFixture[str]) -> None:
    output.show_list([{"n": n} for n in range(100)], [("N", "n")], total=2001,
                     more="--all for every row")  # fmt: skip

    assert capsys.readouterr().err == "Showing 100 of 2,001; --all for every row.\n"


def test_closed_accounts_are_listed_with_closed_or_its_alias_all(
    kam: Kam, cli_db: Database
) -> None:
    ok(kam("account", "reject", BEER, "--rationale", "Loss"))

    assert [a["customer"] for a in listed(kam("account", "list", "--json"))] == [ACME]
    closed = listed(kam("account", "list", "--closed", "--json"))
    assert [a["customer"] for a in closed] == [ACME, BEER]
    assert listed(kam("account", "list", "--all", "--json")) == closed


def test_metrics_rows_name_the_customer_as_every_other_list_does(
    kam: Kam, cli_db: Database
) -> None:
    add_small_base(cli_db)

    (row,) = listed(kam("metrics", "clv", "--as-of", AS_OF, "--customer", ACME, "--json"))
    (account,) = [a for a in listed(kam("account", "list", "--json")) if a["customer"] == ACME]

    assert (row["customer_id"], row["customer"]) == (account["customer_id"], ACME)


def test_a_report_frame_is_written_as_the_same_json_one_row_per_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The fast writer of big reports gives what print_json gives: slashes and backslashes
    intact, days for datetimes, null for missing, terminal controls escaped."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "customer": ["A/S Nord", "back\\/slash", "\\", "Evil\x1b[31m"],
            "last": pd.to_datetime(["2026-01-01", None, "2025-02-03", "2020-01-01"]),
            "profit": [1.5, None, 3.0, -4.25],
        }
    )
    output.print_json_frame({"report": "x"}, frame, total=9)
    text = capsys.readouterr().out
    assert "\x1b" not in text
    assert '    {"customer":"A/S Nord","last":"2026-01-01","profit":1.5},\n' in text
    assert json.loads(text) == {
        "report": "x",
        "total": 9,
        "rows": [
            {"customer": "A/S Nord", "last": "2026-01-01", "profit": 1.5},
            {"customer": "back\\/slash", "last": None, "profit": None},
            {"customer": "\\", "last": "2025-02-03", "profit": 3.0},
            {"customer": "Evil\x1b[31m", "last": "2020-01-01", "profit": -4.25},
        ],
    }
    output.print_json_frame({"report": "x"}, frame.iloc[:0], total=0)
    assert json.loads(capsys.readouterr().out)["rows"] == []


def test_a_report_frame_writes_its_figures_to_a_float_s_precision_not_past_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Fifteen places on a figure in the millions printed digits past a float's precision:
    1764454.99 read 1764454.989999999990687, and a sum's 1764454.1 + 0.1 + 0.19 (a float
    just over 1764454.39) 1764454.390000000130385. Fifteen significant digits of the largest
    figure (seven before the point: eight places) give 1764454.99 and 1764454.39, and keep a
    share to eight places; a frame of fractions keeps fifteen."""
    import pandas as pd

    summed = 1764454.1 + 0.1 + 0.19
    assert summed != 1764454.39  # the float sum's own error, as a report's totals carry
    frame = pd.DataFrame({"monetary": [1764454.99, summed], "share": [0.0005, 1 / 3]})
    output.print_json_frame({"report": "x"}, frame, total=2)
    text = capsys.readouterr().out
    assert '{"monetary":1764454.99,"share":0.0005},' in text
    assert '{"monetary":1764454.39,"share":0.33333333}' in text
    output.print_json_frame({"report": "x"}, pd.DataFrame({"rate": [1 / 3]}), total=1)
    assert '{"rate":0.333333333333333}' in capsys.readouterr().out


def test_a_report_frame_is_written_in_parts_and_rows_whose_text_looks_like_a_row_break_stay_whole(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three rows a part: seven rows are three parts, each row on its line; a cell holding
    "},{" or a line separator (U+2028, NEL) is not taken for the end of a row."""
    import pandas as pd

    monkeypatch.setattr(output, "FRAME_ROWS", 3)
    names = ["a", 'b"},{"c":1', "c\u2028d", "e\x85f", "g", "h},{i", "j"]
    frame = pd.DataFrame({"name": names, "n": range(7)})
    output.print_json_frame({"report": "x"}, frame, total=7)
    text = capsys.readouterr().out

    lines = text.splitlines()
    assert lines[:4] == ["{", '  "report": "x",', '  "total": 7,', '  "rows": [']
    assert lines[-2:] == ["  ]", "}"]
    rows = text.split("\n")[4:-3]
    assert len(rows) == 7
    assert rows[2] == '    {"name":"c\u2028d","n":2},'
    assert json.loads(text)["rows"] == [{"name": name, "n": n} for n, name in enumerate(names)]


def test_a_report_frame_with_lists_of_text_is_written_as_its_records(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A churn row's reasons are a list of text: for JSON the frame writer takes such a
    column (one row a line, a list as a JSON array, a missing number as null), and only
    for JSON: CSV and lists of anything else go through the records."""
    import pandas as pd

    monkeypatch.setattr(output, "FRAME_ROWS", 2)
    reasons = [["33 days since the last purchase", "margin down 20% },{"], [], ["a/b \u00e9"]]
    frame = pd.DataFrame({"n": [1, 2, 3], "p": [0.5, None, 0.25], "reasons": reasons})
    assert output.frame_encodable(frame, lists=True)
    assert not output.frame_encodable(frame)  # CSV: the records path writes lists as JSON
    assert not output.frame_encodable(frame.assign(reasons=[[1], [], []]), lists=True)
    output.print_json_frame({"report": "churn"}, frame, total=3)
    text = capsys.readouterr().out
    rows = text.split("\n")[4:-3]
    assert rows[0] == (
        '    {"n":1,"p":0.5,"reasons":["33 days since the last purchase","margin down 20% },{"]},'
    )
    assert json.loads(text)["rows"] == [
        {"n": 1, "p": 0.5, "reasons": reasons[0]},
        {"n": 2, "p": None, "reasons": []},
        {"n": 3, "p": 0.25, "reasons": ["a/b \u00e9"]},
    ]


def test_a_report_frame_is_written_as_the_same_csv_as_its_records_in_parts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """print_csv_frame writes what print_csv writes of the frame's records (None for a
    missing cell): formulas neutralised, controls removed, quotes and commas quoted,
    booleans as true/false, datetimes in ISO, one header over every part."""
    import pandas as pd

    monkeypatch.setattr(output, "FRAME_ROWS", 2)
    frame = pd.DataFrame(
        {
            "customer": ["=SUM(A1)", 'Say "hi", twice', "Evil\x1b[31m", None, "-12.5"],
            "since": pd.to_datetime(
                ["2026-01-01", None, "2025-02-03 10:30", "2020-01-01", None], format="ISO8601"
            ),
            "profit": [1.5, None, 3.0, -4.25, 0.1 + 0.2],
            "key": [True, False, True, False, True],
            "n": [1, 2, 3, 4, 5],
        }
    )
    records = [
        {k: (None if v != v or v is pd.NaT else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]
    output.print_csv(records, list(frame.columns))
    expected = capsys.readouterr().out
    output.print_csv_frame(frame)
    written = capsys.readouterr().out

    assert written == expected
    assert written.splitlines()[:3] == [
        "customer,since,profit,key,n",
        "'=SUM(A1),2026-01-01T00:00:00,1.5,true,1",
        '"Say ""hi"", twice",,,false,2',
    ]
    assert "\x1b" not in written
    assert written.splitlines()[-1] == "-12.5,,0.30000000000000004,true,5"
    output.print_csv_frame(frame.iloc[:0])
    assert capsys.readouterr().out == "customer,since,profit,key,n\n"


def test_a_json_row_is_written_as_json_dumps_writes_it() -> None:
    import json
    import math

    from kam.cli.output import _json_row

    row = {
        "id": 7,
        "name": 'Acme "Q" \\ 北京\n\x1b[31m',
        "profit": -1234.5600000001,
        "share": 1e-05,
        "nothing": None,
        "yes": True,
        "nan": math.nan,
        "big": math.inf,
        "tags": ["a", 1],
        "whole": 3.0,
    }
    assert _json_row(row) == json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(_json_row(row))["name"] == row["name"]
