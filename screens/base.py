"""What every kam screen shares: the typed app, and failures shown as notifications."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

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
