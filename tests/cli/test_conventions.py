"""What a shell user expects of any command: --version, completion, `-` for standard input,
`--` before a value that starts with a dash, an --encoding for CSV that is not UTF-8, help
without a type on flags, and a missing extra named with how to install it."""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from db.models import Customer
from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import commands, count, ok, parsed, refused, usage_error
from tests.cli.test_imports import heavy_modules, run_kam

#: Names as Chinese Excel saves them: GB18030 (a superset of GBK), no BOM.
CHINESE = "name,industry,region\n北京燕京啤酒集团,食品,华北\n上海测试贸易有限公司,零售,华东\n"


def test_version_prints_the_installed_version(kam: Kam) -> None:
    assert ok(kam("--version")).stdout == f"kam {version('kam')}\n"


def test_version_and_help_import_neither_pandas_nor_textual(tmp_path: Path) -> None:
    exit_code, modules, stdout = run_kam(tmp_path, "--version")

    assert (exit_code, stdout.split()[0]) == (0, "kam")
    assert heavy_modules(modules) == []


def test_the_completion_script_is_shown_for_the_shell_named(kam: Kam) -> None:
    """The shell named is the script's, whichever shell kam runs under (or none, as under
    cron); a shell kam has no script for is refused, naming those it has."""
    script = ok(kam("--show-completion", "bash")).stdout
    zsh = ok(kam("--show-completion", "zsh")).stdout
    wrong = kam("--show-completion", "tcsh")

    assert "_kam_completion" in script and "_KAM_COMPLETE=complete_bash" in script
    assert zsh.startswith("#compdef kam") and "_KAM_COMPLETE=complete_zsh" in zsh
    assert "'tcsh' is not one of bash, zsh, fish, powershell, pwsh" in usage_error(wrong)
    assert "--install-completion" in ok(kam("--help")).stdout


def test_the_shell_completes_nouns_and_verbs(tmp_path: Path) -> None:
    import os
    import subprocess

    env = {**os.environ, "_KAM_COMPLETE": "complete_bash", "COMP_CWORD": "2",
           "COMP_WORDS": "kam complaint ad"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", "from kam.cli.main import main; main()"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.stdout.split() == ["add", "advance"]


def test_flags_show_no_type_in_help(kam: Kam) -> None:
    for args in (("--help",), ("contact", "add", "--help"), ("export", "customers", "--help")):
        shown = ok(kam(*args)).stdout
        assert "<bool>" not in shown, args
        assert "--help" in shown
    assert "<str>" in ok(kam("contact", "add", "--help")).stdout  # options with a value keep it


def test_a_repeatable_option_shows_the_type_of_one_value(kam: Kam) -> None:
    """`--map <str>` (given once per column), not `--map <list[str]>`."""

    def shown(*args: str) -> str:
        return " ".join(ok(kam(*args, "--help")).stdout.split())

    assert "--map <str> Rename a column: SOURCE=FIELD (repeatable)." in shown("import", "costs")
    assert "--contact <int> Id of a contact" in shown("interaction", "add")
    for args in (("review", "record"), ("plan", "edit"), ("account", "assess")):
        assert "<list[" not in ok(kam(*args, "--help")).stdout, args


def test_a_customer_named_like_an_option_is_added_after_a_double_dash(
    cli_db: Database, kam: Kam
) -> None:
    assert "No such option" in usage_error(kam("customer", "add", "-1"))
    added = parsed(kam("customer", "add", "--json", "--", "-1"))

    assert added["name"] == "-1"


def test_an_import_reads_standard_input(cli_db: Database, kam: Kam) -> None:
    report = parsed(kam("import", "customers", "-", "--json",
                        input="name,industry\nPiped In Ltd,Retail\n"))  # fmt: skip

    assert (report["file"], report["written"]) == ("standard input", 1)
    assert count(cli_db, Customer, Customer.name == "Piped In Ltd") == 1


def test_a_batch_reads_standard_input(cli_db: Database, kam: Kam) -> None:
    line = json.dumps({"action": "customer.add", "name": "Batched In"})
    report = parsed(kam("batch", "-", "--json", input=line + "\n"))

    assert (report["file"], report["applied"]) == ("standard input", 1)
    bad = refused(kam("batch", "-", input="not json\n"), 1)
    assert bad.startswith("standard input: 1 invalid line")


def test_a_gb18030_csv_is_refused_with_the_hint_then_read_with_encoding(
    cli_db: Database, kam: Kam, tmp_path: Path
) -> None:
    path = tmp_path / "客户.csv"
    path.write_bytes(CHINESE.encode("gb18030"))

    message = refused(kam("import", "customers", str(path)), 1)
    assert "not UTF-8" in message
    assert "if it came from Chinese Excel try --encoding gb18030" in message
    assert count(cli_db, Customer) == 3  # the cast's, nothing added

    ok(kam("import", "customers", str(path), "--encoding", "gb18030"))
    shown = parsed(kam("customer", "show", "上海测试贸易有限公司", "--json"))
    assert (shown["industry"], shown["region"]) == ("零售", "华东")
    assert count(cli_db, Customer, Customer.name == "北京燕京啤酒集团") == 1


def test_bytes_the_named_encoding_does_not_know_are_refused(
    cli_db: Database, kam: Kam, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"name\nAcme\n" + b"\x81\x20\n")

    assert "not gb18030 text (byte" in refused(
        kam("import", "customers", str(path), "--encoding", "gb18030"), 1
    )
    assert "not an encoding" in usage_error(
        kam("import", "customers", str(path), "--encoding", "klingon")
    )


def test_every_import_offers_an_encoding() -> None:
    imports = {name: options for name, options in commands() if name.startswith("import ")}
    assert {n for n, o in imports.items() if "--encoding" in o} == {
        "import customers", "import transactions", "import costs", "import contacts",
    }  # fmt: skip


def test_serve_without_the_web_extra_says_how_to_install_it(
    kam: Kam, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # as if not installed

    message = refused(kam("serve"), 1)
    assert message == (
        "kam serve needs the web extra: pip install 'kam[web]' (textual-serve, aiohttp)."
    )


@pytest.mark.parametrize("rich", ["0", "1"])
def test_kam_help_says_what_each_noun_and_command_says_of_itself(rich: str) -> None:
    """`kam --help` lists the nouns from SUMMARIES, building none of them: it must print
    what the help of the built commands prints, with Rich (a terminal) and without."""
    import os
    import subprocess

    def helped(only: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c",
             f"from kam.cli.main import build; build({only})(prog_name='kam', args=['--help'])"],
            env={**os.environ, "TYPER_USE_RICH": rich, "COLUMNS": "100"},
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stdout

    summarised, built = helped("'--help'"), helped("None")
    assert "account" in summarised and "snapshot" in summarised
    assert summarised == built
