"""`kam serve`'s web server: textual-serve behind a token made for each launch.

textual-serve has no authentication: whoever reaches its port gets a `kam tui` running as
the user who started the server. As Jupyter does, each launch makes a random token
(`secrets.token_urlsafe`) and prints the address that carries it
(`http://127.0.0.1:8000/?token=...`). One aiohttp middleware guards every route (the
page, its static files, the websocket that starts the app, downloads):

- a request passes only with the token, as `?token=` or in the launch's cookie, each
  compared in constant time (`hmac.compare_digest`); anything else gets 403 and starts
  nothing;
- the response to a request that brought the right `?token=` sets the cookie (HttpOnly:
  no script reads it; SameSite=Strict: no other site's page makes the browser send it),
  so the page's own requests and its websocket carry it without the token in their URLs;
- the websocket also needs an Origin header naming the host:port the request was sent
  to, so a page elsewhere cannot drive the app even from a browser that holds the cookie.

The server listens on loopback unless `--host` names another address.
"""

from __future__ import annotations

import errno
import hmac
import ipaddress
import logging
import re
import secrets
import shlex
import socket
import sys
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from textual_serve.server import Server

from kam.cli.output import info
from kam.errors import SystemProblem

LOOPBACK = "127.0.0.1"

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def cookie_name(port: int) -> str:
    """The launch's cookie: one per port, so two servers on one host keep theirs apart."""
    return f"kam-serve-{port}"


def _matches(given: str | None, token: str) -> bool:
    """Whether `given` is the token, compared in constant time."""
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def same_origin(request: web.Request) -> bool:
    """Whether the request's Origin names the host and port the request was sent to (its
    Host header); a request without an Origin is not."""
    origin = request.headers.get("Origin", "")
    try:
        seen = urlsplit(origin)
        sent = urlsplit(f"//{request.host}")
        if seen.scheme not in _DEFAULT_PORTS or not seen.hostname or not sent.hostname:
            return False
        default = _DEFAULT_PORTS[seen.scheme]
        return (seen.hostname, seen.port or default) == (sent.hostname, sent.port or default)
    except ValueError:  # a malformed port
        return False


def _forbidden(why: str) -> web.Response:
    return web.Response(
        status=403, text=f"403 Forbidden: {why}\n", headers={"Cache-Control": "no-store"}
    )


def guard(token: str, cookie: str) -> Middleware:
    """The middleware that lets through only requests that carry the token (see above)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        by_query = _matches(request.query.get("token"), token)
        if not (by_query or _matches(request.cookies.get(cookie), token)):
            return _forbidden("open the address `kam serve` printed, with its ?token=.")
        websocket = (
            request.match_info.route.name == "websocket"
            or request.headers.get("Upgrade", "").lower() == "websocket"
        )
        if websocket and not same_origin(request):
            return _forbidden("the websocket must come from this server's own page.")
        response = await handler(request)
        if by_query and not response.prepared:
            response.set_cookie(cookie, token, path="/", httponly=True, samesite="Strict")
            response.headers["Referrer-Policy"] = "no-referrer"
            response.headers["Cache-Control"] = "no-store"
        return response

    return middleware


class _HideToken(logging.Filter):
    """Keeps the token out of the access log (the address it came in)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = re.sub(r"token=[^&\s\"]*", "token=<hidden>", record.msg)
        return True


class GuardedServer(Server):
    """textual-serve's Server with the token middleware, its own start-up line, and logs
    that never print a traceback's local variables (the token is one)."""

    def __init__(self, command: str, *, host: str, port: int, token: str) -> None:
        super().__init__(command, host=host, port=port, title="kam", public_url=_public(host, port))
        self.token = token

    @property
    def url(self) -> str:
        """The address to open, token included."""
        return f"{self.public_url}/?token={self.token}"

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(guard(self.token, cookie_name(self.port)))
        return app

    async def on_startup(self, app: web.Application) -> None:
        info(f"kam serve: open {self.url} in a browser (Ctrl+C stops).")

    def initialize_logging(self) -> None:
        from rich.logging import RichHandler

        handler = RichHandler(
            show_path=False,
            show_time=False,
            rich_tracebacks=True,
            tracebacks_show_locals=False,
            console=self.console,
        )
        logging.basicConfig(
            level="DEBUG" if self.debug else "INFO", format="%(message)s", handlers=[handler]
        )
        logging.getLogger("aiohttp.access").addFilter(_HideToken())


def _public(host: str, port: int) -> str:
    """The server's address as a browser writes it: a wildcard bind is named by the
    machine's host name, an IPv6 address is bracketed."""
    name = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    return f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}"


def is_loopback(host: str) -> bool:
    """Whether `host` is only reachable from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _cannot_listen(host: str, port: int, error: OSError) -> SystemProblem:
    if error.errno == errno.EADDRINUSE:
        return SystemProblem(f"port {port} on {host} is in use; choose another with --port.")
    if error.errno == errno.EACCES:
        return SystemProblem(
            f"port {port} on {host} needs privileges you do not have; choose a port above 1023 "
            "with --port."
        )
    if error.errno == errno.EADDRNOTAVAIL:
        return SystemProblem(f"{host} is not an address of this machine; check --host.")
    reason = error.strerror or str(error)
    return SystemProblem(f"cannot listen on {host} port {port}: {reason}.")


def check_free(host: str, port: int) -> None:
    """Refuse, in one sentence, an address this process cannot listen on (before the server
    says where to go)."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise SystemProblem(f"cannot listen on {host}: {error.strerror}; check --host.") from None
    for family, kind, protocol, _, address in addresses:
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp does
            try:
                probe.bind(address)
            except OSError as error:
                raise _cannot_listen(host, port, error) from None


def serve(*, host: str | None, port: int, login: str) -> None:
    """Serve `kam tui` to browsers until Ctrl+C: on loopback unless `host` is given, which
    is then warned about."""
    address = host or LOOPBACK
    check_free(address, port)
    if host is not None and not is_loopback(host):
        info(
            f"kam: warning: serving on {host}, beyond this machine: every browser session "
            f"that opens the address below acts in kam as {login}, with {login}'s rights."
        )
    command = f"{shlex.quote(sys.executable)} -m kam tui"
    server = GuardedServer(command, host=address, port=port, token=secrets.token_urlsafe(32))
    try:
        server.serve()
    except OSError as error:  # taken between the check and the start
        raise _cannot_listen(address, port, error) from error
