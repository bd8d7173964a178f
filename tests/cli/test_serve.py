"""`kam serve`: the TUI for a browser, on loopback by default, behind a token per launch.

These tests stand in for the server; tests/cli/test_serve_http.py runs the real one.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import ok, refused


class FakeServer:
    """Stands in for kam's guarded textual-serve Server: records how it was built and served."""

    made: list[dict[str, Any]] = []

    def __init__(self, command: str, *, host: str, port: int, token: str) -> None:
        FakeServer.made.append({"command": command, "host": host, "port": port, "token": token})

    def serve(self) -> None:
        FakeServer.made[-1]["served"] = True


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> type[FakeServer]:
    import kam.cli.web

    FakeServer.made = []
    monkeypatch.setattr(kam.cli.web, "GuardedServer", FakeServer)
    return FakeServer


@pytest.fixture
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port something else is listening on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield int(other.getsockname()[1])


def test_serve_runs_the_tui_for_browsers_on_loopback_with_a_new_token_each_launch(
    kam: Kam, cli_db: Database, fake_server: type[FakeServer], free_port: int
) -> None:
    result = ok(kam("serve", "--port", str(free_port)))
    ok(kam("serve", "--port", str(free_port)))

    first, second = fake_server.made
    assert first["command"].endswith("-m kam tui") and first["served"]
    assert (first["host"], first["port"]) == ("127.0.0.1", free_port)
    assert len(first["token"]) >= 40 and first["token"] != second["token"]
    assert "warning" not in result.stderr


def test_serve_on_another_address_warns_that_browsers_act_as_the_serving_user(
    kam: Kam, cli_db: Database, fake_server: type[FakeServer], free_port: int
) -> None:
    result = ok(kam("serve", "--host", "0.0.0.0", "--port", str(free_port)))

    assert fake_server.made[0]["host"] == "0.0.0.0"
    assert "kam: warning: serving on 0.0.0.0" in result.stderr
    assert "acts in kam as" in result.stderr


def test_serve_on_a_port_in_use_says_so_in_one_line(
    kam: Kam, cli_db: Database, fake_server: type[FakeServer], taken_port: int
) -> None:
    message = refused(kam("serve", "--port", str(taken_port)), 1)

    assert message == f"port {taken_port} on 127.0.0.1 is in use; choose another with --port."
    assert fake_server.made == []


def test_serve_refuses_before_listening_when_kam_is_not_set_up(
    kam: Kam, empty_db: object, fake_server: type[FakeServer]
) -> None:
    assert "kam init" in refused(kam("serve"), 1)
    assert fake_server.made == []
