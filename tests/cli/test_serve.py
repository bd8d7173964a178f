"""`kam serve`: the TUI for a browser, on loopback by default."""

from __future__ import annotations

from typing import Any

import pytest

from kam.database import Database
from tests.cli.conftest import Kam
from tests.cli.support import ok, refused


class FakeServer:
    """Stands in for textual_serve's Server: records how it was built and served."""

    made: list[dict[str, Any]] = []

    def __init__(self, command: str, host: str, port: int, title: str) -> None:
        FakeServer.made.append({"command": command, "host": host, "port": port, "title": title})

    def serve(self) -> None:
        FakeServer.made[-1]["served"] = True


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> type[FakeServer]:
    import textual_serve.server

    FakeServer.made = []
    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
    return FakeServer


def test_serve_runs_the_tui_for_browsers_on_loopback(
    kam: Kam, cli_db: Database, fake_server: type[FakeServer]
) -> None:
    ok(kam("serve", "--port", "8123"))
    (made,) = fake_server.made
    assert made["command"].endswith("-m kam tui") and made["served"]
    assert (made["host"], made["port"]) == ("127.0.0.1", 8123)


def test_serve_refuses_before_listening_when_kam_is_not_set_up(
    kam: Kam, empty_db: object, fake_server: type[FakeServer]
) -> None:
    assert "kam init" in refused(kam("serve"), 1)
    assert fake_server.made == []
