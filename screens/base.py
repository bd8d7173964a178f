"""What every kam screen shares: the typed app, and failures shown as notifications."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from textual.message import Message
from textual.worker import WorkerState

from kam.errors import ConflictError, KamError
from screens.formatting import safe

if TYPE_CHECKING:
    from textual.app import App
    from textual.worker import Worker

    from screens.app import KamApp


class KamScreenMixin:
    """Mixed into kam's screens: `kam` (the app, typed) and failed-worker reporting."""

    app: App[Any]

    @property
    def kam(self) -> KamApp:
        """The app, typed."""
        return cast("KamApp", self.app)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """An unexpected failure in a worker becomes a notification, never silence."""
        report_failed_worker(self.app, event.worker)


class AfterTypedKeys(Message):
    """Carries a callback along the way the keys typed before it travel (from the focused
    widget up to the app, where bindings run); the app calls it on arrival."""

    def __init__(self, callback: Callable[[], object]) -> None:
        super().__init__()
        self.callback = callback


def after_typed_keys(app: App[Any], callback: Callable[[], object]) -> None:
    """Run `callback` once every key typed before the one being handled has had its effect,
    and let the keys typed after it act only then. A priority binding (Enter on a list,
    ctrl+s or Tab in a form) runs as its key reaches the app, while the keys typed just
    before it may still be on their way: each goes to the focused widget, then up to the
    app, whose bindings move a list's cursor or delete in a field. Typed together, Down then
    Enter opened the row the cursor was leaving, a name typed just before ctrl+s was saved
    cut short, and Backspace typed before Tab deleted in the next field. The callback
    follows the keys the same way (KamApp calls it); the keys typed after it wait at the
    app (KamApp.hold_keys) and go on once it has run.

    The message is sent in the app's own turn: a message stops climbing at the node that
    sent it, and an action may run in a screen's handler (a choice made in a list)."""
    focused = app.focused
    if focused is None:
        callback()
        return
    kam = cast("KamApp", app)
    kam.hold_keys()

    async def follow() -> None:
        if not focused.post_message(AfterTypedKeys(callback)):
            await kam.run_after_typed_keys(callback)

    app.call_next(follow)


def report_refusal(app: App[Any], error: KamError) -> None:
    """Show a domain refusal with its sentence (literally: it may quote customer names)."""
    if isinstance(error, ConflictError):
        app.notify(
            f"{safe(str(error))} Press r to reload.",
            title="Changed by someone else",
            severity="warning",
            timeout=15,
            markup=False,
        )
        return
    app.notify(safe(str(error)), title="Refused", severity="error", timeout=10, markup=False)


def report_failed_worker(app: App[Any], worker: Worker[Any]) -> None:
    """Tell the user a background job failed unexpectedly (domain refusals are handled earlier)."""
    if worker.state != WorkerState.ERROR:
        return
    error = worker.error
    if isinstance(error, KamError):
        report_refusal(app, error)
        return
    app.notify(
        f"Something went wrong ({type(error).__name__}: {safe(str(error))}). Press r to try again.",
        title="Unexpected error",
        severity="error",
        timeout=15,
        markup=False,
    )
