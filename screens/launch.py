"""Starting the TUI: the checks that refuse in one line before anything is drawn, and the
dashboard's figures begun on a thread of their own while Textual loads.

Nothing here imports Textual at load: the figures' reads start first, and the database
works on them (SQLite and PostgreSQL both let other threads run while a query executes)
while Textual's modules load and the first frame is drawn. The dashboard takes them once;
every later load computes afresh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

from screens.areas import AREAS

if TYPE_CHECKING:
    from kam.services.dashboard import Overview
    from kam.settings import Settings

T = TypeVar("T")

#: The area the app opens on unless told otherwise (screens.app: the first of AREAS).
FIRST_AREA = AREAS[0][0]


class Early(Generic[T]):
    """A result computed on its own thread from the moment it is made; `take()` waits for
    it the first time and gives None after (a failure is raised where it is taken)."""

    def __init__(self, compute: Callable[[], T]) -> None:
        self._result: T | None = None
        self._error: BaseException | None = None
        self._taken = False
        self._thread = threading.Thread(target=self._run, args=(compute,), daemon=True)
        self._thread.start()

    def _run(self, compute: Callable[[], T]) -> None:
        try:
            self._result = compute()
        except BaseException as error:  # noqa: BLE001 - raised again where it is taken
            self._error = error

    def take(self) -> T | None:
        """The result, once: None when it was taken already."""
        if self._taken:
            return None
        self._taken = True
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


def run(settings: Settings, *, area: str | None = None) -> None:
    """Identify the user (door: tui) and run the app until it quits."""
    from db.enums import Door
    from kam.database import Database
    from kam.identity import identify
    from kam.rules import clock

    database = Database.open(settings)
    try:
        database.require_schema()
        with database.reading() as session:
            actor = identify(session, door=Door.TUI, act_as=settings.act_as)
        as_of = clock.on_or_today(None)
        early = None
        if (area or FIRST_AREA) == "dashboard":

            def overview() -> Overview:
                from kam.services.dashboard import programme_overview

                with database.connected() as connection:  # no model built on the way
                    return programme_overview(connection, as_of=as_of, alerts=False)

            early = Early(overview)
        from screens.app import create_app

        create_app(database, actor, as_of=as_of, area=area, early=early).run()
    finally:
        database.dispose()
