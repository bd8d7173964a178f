"""What `kam` does before Textual loads (screens.launch): the early result is taken once,
a failure is raised where it is taken, and the module itself loads no Textual."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from screens.launch import FIRST_AREA, Early


def test_an_early_result_is_computed_on_its_own_thread_and_taken_once() -> None:
    started = threading.Event()
    go_on = threading.Event()

    def compute() -> str:
        started.set()
        go_on.wait(5)
        return "figures"

    early = Early(compute)
    assert started.wait(5)  # running before anyone asks
    go_on.set()
    assert early.take() == "figures"
    assert early.take() is None


def test_an_early_failure_is_raised_where_it_is_taken() -> None:
    def compute() -> str:
        raise LookupError("no such table")

    early = Early(compute)
    with pytest.raises(LookupError, match="no such table"):
        early.take()
    assert early.take() is None


def test_the_launcher_loads_no_textual_and_opens_on_the_dashboard() -> None:
    code = "import sys, screens.launch; print('textual' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.stdout.strip() == "False", loaded.stderr
    assert FIRST_AREA == "dashboard"
