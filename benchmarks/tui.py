"""Driving the real `kam` TUI in a pseudo-terminal, and seeing what it shows.

`Pty` spawns the command with pexpect in a pty of a fixed size, through the launcher of
process.py (which forks it, so that its peak memory is its own, and notes the time of the
fork and the peak). A reader thread reads
everything the app writes, stamping each chunk with the time `os.read` returned it, and
answers Textual's query for synchronized output (`CSI ? 2026 $ p`) as modern terminals
do (kitty, WezTerm, iTerm2, foot, Windows Terminal): Textual then brackets every frame in
`CSI ? 2026 h` … `CSI ? 2026 l`, so a frame is known to be complete.

`Screen` is a small terminal model: it keeps the characters at their places (cursor
moves, carriage returns, line feeds; colours and other escapes are dropped), so a test
reads rows of text, not an escape-interleaved stream. A condition on the screen is
checked at the end of each frame; the time of a frame is the time its last chunk was
read. A keystroke's latency runs from writing its bytes to the pty to that time.
"""

from __future__ import annotations

import codecs
import os
import queue
import re
import signal
import threading
import time
import unicodedata
from collections.abc import Callable

from benchmarks.process import Failed, Launched, launched, launcher

SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"  # DECRPM: mode 2026 known, currently reset
CTRL_Q = b"\x11"
CTRL_U = b"\x15"

_TOKEN = re.compile(
    r"\x1b\[([0-?]*)[ -/]*([@-~])"  # CSI: parameters, final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|\x1bP[^\x1b]*\x1b\\"  # DCS
    r"|\x1b[^\[\]P]"  # two-byte escapes
    r"|([\r\n\x08])"  # cursor controls
    r"|[\x00-\x07\x0b-\x0c\x0e-\x1a\x1c-\x1f\x7f]"  # other controls: ignored
    r"|([^\x00-\x1f\x7f]+)"  # text
)
_PARTIAL = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*\x1b?|P[^\x1b]*\x1b?)?$")


def cells(ch: str) -> int:
    """How many cells a character takes (wide East Asian 2, combining marks 0)."""
    if ch < "\u0300":
        return 1
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


class Screen:
    """The characters a terminal of `cols` × `rows` shows."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self.grid = [[" "] * cols for _ in range(rows)]
        self.x = self.y = 0
        self.syncing = False
        self.frames = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""

    def line(self, y: int) -> str:
        return "".join(self.grid[y])

    def text(self) -> str:
        return "\n".join(self.line(y) for y in range(self.rows))

    def find(self, needle: str) -> int | None:
        """The first row containing `needle`."""
        for y in range(self.rows):
            if needle in self.line(y):
                return y
        return None

    def feed(self, data: bytes, on_frame: Callable[[], bool]) -> bool:
        """Apply `data`; call `on_frame` at the end of each complete frame (and at the end of
        the data when frames are not bracketed); True as soon as it returns True."""
        text = self._pending + self._decoder.decode(data)
        cut = _PARTIAL.search(text)
        self._pending, text = (text[cut.start() :], text[: cut.start()]) if cut else ("", text)
        matched = False
        for m in _TOKEN.finditer(text):
            params, final, control, chars = m.group(1), m.group(2), m.group(3), m.group(4)
            if chars is not None:
                self._write(chars)
            elif control is not None:
                if control == "\r":
                    self.x = 0
                elif control == "\n":
                    self.y = min(self.y + 1, self.rows - 1)
                else:
                    self.x = max(0, self.x - 1)
            elif final is not None and self._csi(params, final) and not matched:
                matched = on_frame()  # the rest of the data still applies
        return matched or (not self.syncing and on_frame())

    def _csi(self, params: str, final: str) -> bool:
        """Apply one CSI sequence; True when it ends a synchronized frame."""
        if params == "?2026":
            if final == "h":
                self.syncing = True
            elif final == "l":
                self.syncing = False
                self.frames += 1
                return True
            return False
        if params.startswith(("?", ">", "<", "=")):
            return False
        numbers = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []
        first = numbers[0] if numbers else 0
        if final in "Hf":
            row = numbers[0] if numbers and numbers[0] else 1
            col = numbers[1] if len(numbers) > 1 and numbers[1] else 1
            self.y, self.x = min(row, self.rows) - 1, min(col, self.cols) - 1
        elif final == "A":
            self.y = max(0, self.y - max(first, 1))
        elif final == "B":
            self.y = min(self.rows - 1, self.y + max(first, 1))
        elif final == "C":
            self.x = min(self.cols - 1, self.x + max(first, 1))
        elif final == "D":
            self.x = max(0, self.x - max(first, 1))
        elif final == "G":
            self.x = min(max(first, 1), self.cols) - 1
        elif final == "d":
            self.y = min(max(first, 1), self.rows) - 1
        elif final == "J" and first == 2:
            self.grid = [[" "] * self.cols for _ in range(self.rows)]
        elif final == "K":
            line = self.grid[self.y]
            if first == 0:
                line[self.x :] = [" "] * (self.cols - self.x)
            elif first == 1:
                line[: self.x + 1] = [" "] * (self.x + 1)
            else:
                line[:] = [" "] * self.cols
        return False

    def _write(self, chars: str) -> None:
        row = self.grid[self.y]
        if chars.isascii():
            end = min(self.cols, self.x + len(chars))
            row[self.x : end] = chars[: end - self.x]
            self.x = min(end, self.cols - 1)
            return
        for ch in chars:
            width = cells(ch)
            if width == 0 or self.x >= self.cols:
                continue
            row[self.x] = ch
            if width == 2 and self.x + 1 < self.cols:
                row[self.x + 1] = ""
            self.x += width
        self.x = min(self.x, self.cols - 1)


class Pty:
    """A command running in a pseudo-terminal, with the screen it draws."""

    def __init__(self, argv: list[str], env: dict[str, str], cols: int = 120, rows: int = 40):
        import pexpect

        env = {**env, "TERM": "xterm-256color", "COLORTERM": "truecolor", "LANG": "C.UTF-8"}
        self.screen = Screen(cols, rows)
        self.chunks: queue.Queue[tuple[float, bytes | None]] = queue.Queue()
        self.command = argv
        spawn, self.result = launcher(argv, timeout=3600)
        self.child = pexpect.spawn(spawn[0], spawn[1:], env=env, dimensions=(rows, cols))
        self.fd = self.child.child_fd
        self.ended = False
        self._reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        tail = b""
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except OSError:
                data = b""
            now = time.perf_counter()
            if not data:
                self.chunks.put((now, None))
                return
            if SYNC_QUERY in tail + data:  # answer at once, as a terminal would
                os.write(self.fd, SYNC_REPLY)
            tail = data[-len(SYNC_QUERY) :]
            self.chunks.put((now, data))

    def send(self, keys: bytes) -> float:
        """Write keys to the pty; the time they were written."""
        os.write(self.fd, keys)
        return time.perf_counter()

    def wait_for(self, condition: Callable[[Screen], bool], timeout: float, what: str) -> float:
        """The read time of the first complete frame on which `condition` holds."""
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            try:
                stamp, data = self.chunks.get(timeout=max(0.0, left))
            except queue.Empty:
                raise self._failed(f"no frame showed {what} within {timeout:.0f} s") from None
            if data is None:
                self.ended = True
                raise self._failed(f"kam exited before showing {what}")
            if self.screen.feed(data, lambda: condition(self.screen)):
                return stamp

    def settle(self, quiet: float = 0.15) -> None:
        """Apply output until none has come for `quiet` seconds."""
        while True:
            try:
                _, data = self.chunks.get(timeout=quiet)
            except queue.Empty:
                return
            if data is None:
                self.ended = True
                return
            self.screen.feed(data, lambda: False)

    def close(self, keys: bytes = CTRL_Q, timeout: float = 60) -> Launched:
        """Quit with `keys` (ctrl+q), drain the output, reap the launcher; what it saw: the
        time of the fork and the command's own peak."""
        if not self.ended:
            try:
                self.send(keys)
            except OSError:
                pass
        deadline = time.perf_counter() + timeout
        reaped = False
        while not reaped:
            while not self.ended:  # keep reading, or the app blocks writing its last frame
                try:
                    _, data = self.chunks.get(timeout=0.05)
                except queue.Empty:
                    break
                self.ended = data is None
            pid, _ = os.waitpid(self.child.pid, os.WNOHANG)  # the launcher, done once kam is
            if pid:
                reaped = True
            elif time.perf_counter() > deadline:
                os.killpg(self.child.pid, signal.SIGKILL)  # the launcher's group: kam too
                deadline = time.perf_counter() + 10
        self.child.ptyproc.terminated = True  # reaped above; pexpect must not wait for it
        self.child.terminated = True
        self.child.close()
        return launched(self.result, self.command)

    def _failed(self, message: str) -> Failed:
        screen = "\n".join(line.rstrip() for line in self.screen.text().splitlines())
        try:
            self.close(timeout=5)
        except Exception:  # noqa: BLE001 - explaining the first failure matters more
            pass
        return Failed(f"{message}; the screen showed:\n{screen}")
