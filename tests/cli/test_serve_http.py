"""`kam serve` for real: a server started as a subprocess on a free loopback port, asked
with a real HTTP client. Without its token (in the address, or the cookie the page sets)
every route answers 403 and starts nothing; the websocket also needs its own Origin."""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from db.enums import Role
from db.models import User
from kam.identity import os_login
from tests.support import fresh_sqlite


@dataclass(frozen=True)
class Served:
    """The running server: where it is, its token, and the cookie that carries it."""

    base: str
    token: str
    port: int

    @property
    def cookie(self) -> dict[str, str]:
        return {"Cookie": f"kam-serve-{self.port}={self.token}"}

    @property
    def origin(self) -> str:
        return self.base


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("serve")
    database = fresh_sqlite(sqlite_template, folder)
    with database.writing() as s:
        s.add(User(login=os_login(), display_name="Test Runner", role=Role.ADMIN))
    database.dispose()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "KAM_USER"}
    env["KAM_DATABASE_URL"] = str(database.engine.url)
    process = subprocess.Popen(
        [sys.executable, "-m", "kam", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stderr is not None
    stderr = process.stderr
    threading.Thread(target=lambda: [lines.put(line) for line in stderr], daemon=True).start()
    try:
        said = ""
        while "?token=" not in said:
            said = lines.get(timeout=60)
        url = said.split("open ", 1)[1].split()[0]
        base, token = url.split("/?token=")
        assert base == f"http://127.0.0.1:{port}"
        _wait_until_listening(port)
        yield Served(base, token, port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_listening(port: int) -> None:
    import time

    for _ in range(200):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


def _client() -> aiohttp.ClientSession:
    """A client that keeps no cookies of its own: each test says what it sends."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())


async def test_the_page_needs_the_token(served: Served) -> None:
    async with _client() as client:
        async with client.get(f"{served.base}/") as none:
            assert none.status == 403
            assert "token" in await none.text()
        async with client.get(f"{served.base}/?token=not-{served.token}") as wrong:
            assert wrong.status == 403
        async with client.get(f"{served.base}/?token=") as empty:
            assert empty.status == 403


async def test_the_right_token_opens_the_page_and_sets_a_strict_cookie(served: Served) -> None:
    async with _client() as client:
        async with client.get(f"{served.base}/?token={served.token}") as page:
            assert page.status == 200
            assert f"ws://127.0.0.1:{served.port}/ws" in await page.text()
            (cookie,) = page.headers.getall("Set-Cookie")
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert cookie.startswith(f"kam-serve-{served.port}={served.token};")
        assert {"httponly", "samesite", "path"} <= attributes
        assert "SameSite=Strict" in cookie

        async with client.get(f"{served.base}/", headers=served.cookie) as again:
            assert again.status == 200 and "textual" in await again.text()


async def test_static_files_and_downloads_need_the_cookie_too(served: Served) -> None:
    async with _client() as client:
        for path in ("/static/js/textual.js", "/download/anything"):
            async with client.get(f"{served.base}{path}") as bare:
                assert bare.status == 403, path
        async with client.get(f"{served.base}/static/js/textual.js", headers=served.cookie) as js:
            assert js.status == 200
        async with client.get(f"{served.base}/download/anything", headers=served.cookie) as dl:
            assert dl.status == 404  # past the guard: no such download


async def _handshake(served: Served, headers: dict[str, str]) -> int:
    """The status of a websocket upgrade to the app with these headers (101 if upgraded)."""
    async with _client() as client:
        try:
            async with client.ws_connect(f"{served.base}/ws", headers=headers) as socket_:
                await socket_.close()
                return 101
        except aiohttp.WSServerHandshakeError as refused:
            return refused.status


async def test_the_websocket_needs_the_cookie_and_the_servers_own_origin(served: Served) -> None:
    own = {"Origin": served.origin}

    assert await _handshake(served, own) == 403  # no cookie
    assert await _handshake(served, {**served.cookie, "Origin": "http://evil.example"}) == 403
    assert await _handshake(served, {**served.cookie, "Origin": "http://127.0.0.1:1"}) == 403
    assert await _handshake(served, served.cookie) == 403  # no Origin at all
    assert await _handshake(served, {**served.cookie, **own}) == 101
