"""`kam` ends its process itself once a command is done (kam.cli.main._leave), skipping
Python's teardown: the exit code, the output and the exit handlers must survive that."""

from __future__ import annotations

import os
import subprocess
import sys


def python(
    code: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True, text=True, encoding="utf-8", timeout=120, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def kam(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return python("import sys; sys.argv[0] = 'kam'; from kam.cli.main import main; main()",
                  *args, env=env)  # fmt: skip


def test_the_help_arrives_whole_through_a_pipe_with_exit_0() -> None:
    done = kam("--help")

    assert done.returncode == 0, done.stderr
    assert "Usage: kam" in done.stdout
    assert "account" in done.stdout and "user" in done.stdout  # the first nouns and the last
    assert done.stdout.endswith("\n")


def test_a_refused_command_keeps_its_documented_exit_code_and_one_line() -> None:
    done = kam("account", "list", env={"KAM_BUSY_TIMEOUT_MS": "abc"})

    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "KAM_BUSY_TIMEOUT_MS is 'abc'" in done.stderr


def test_leaving_runs_the_exit_handlers_and_flushes_the_output() -> None:
    done = python(
        "import atexit, sys\n"
        "from kam.cli.main import _leave\n"
        "atexit.register(lambda: print('handler ran'))\n"
        "print('written before', end=' ')\n"
        "_leave(4)\n"
        "print('never')\n"
    )

    assert done.returncode == 4
    assert done.stdout == "written before handler ran\n"


def test_leaving_with_a_message_shows_it_and_exits_1() -> None:
    done = python("from kam.cli.main import _leave\n_leave('no such file')\nprint('never')")

    assert (done.returncode, done.stderr, done.stdout) == (1, "no such file\n", "")


def test_leaving_waits_while_another_thread_runs() -> None:
    done = python(
        "import threading, time\n"
        "from kam.cli.main import _leave\n"
        "threading.Thread(target=time.sleep, args=(0.3,)).start()\n"
        "_leave(4)\n"
        "print('still here')\n"
    )

    assert (done.returncode, done.stdout) == (0, "still here\n")
