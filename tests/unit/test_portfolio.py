"""The key accounts list's figures: health, CLV, profit and wallet share per account."""

from __future__ import annotations

from datetime import date

import pytest

from kam.database import Database
from kam.services.portfolio import portfolio
from tests.support import Cast, add_small_base


def test_each_open_account_has_its_health_and_worth(database: Database, cast: Cast) -> None:
    add_small_base(database)
    with database.reading() as s:
        rows = {r.customer: r for r in portfolio(s, as_of=date(2026, 6, 30))}
    acme, beijing = rows["Acme [/b] Ltd"], rows["北京燕京啤酒"]
    # Worked out in tests/cli/test_metrics_cli.py: profit 500, CLV 500 x 2.118998.
    assert (acme.profit, acme.share_of_wallet) == (500, 1500 / 1_000_000)
    assert acme.clv == pytest.approx(1059.50, abs=0.01)
    assert acme.health in ("green", "amber", "red") and acme.manager == "mia"
    assert (beijing.profit, beijing.share_of_wallet) == (-40, None)  # no wallet estimate
