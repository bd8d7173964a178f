"""Programme settings are checked against each other and against what the programme holds."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from db.enums import AccountStatus
from db.models import KeyAccount
from kam.database import Database
from kam.errors import ForceableRefusal, RuleError
from kam.services.programme import load_settings, set_setting
from tests.support import Cast


def test_warn_below_above_the_cap_is_refused_either_way(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        set_setting(s, cast.admin, "cap", "10")
    with pytest.raises(RuleError, match="warn_below 30 is above the cap 10"):
        with database.writing() as s:
            set_setting(s, cast.admin, "warn_below", "30", force=True)
    with pytest.raises(RuleError, match="warn_below 5 is above the cap 4"):
        with database.writing() as s:
            set_setting(s, cast.admin, "cap", "4")  # warn_below is 5 by default
    with database.reading() as s:
        assert (load_settings(s).cap, load_settings(s).warn_below) == (10, 5)


def test_a_cap_under_the_active_accounts_needs_force(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        s.exec(update(KeyAccount).values(status=AccountStatus.ACTIVE))  # type: ignore[call-overload]
        set_setting(s, cast.admin, "warn_below", "0")
    # Two accounts are active now (Acme and 北京).
    with pytest.raises(ForceableRefusal, match="cap 1 is below the 2 active key accounts"):
        with database.writing() as s:
            set_setting(s, cast.admin, "cap", "1")
    with database.writing() as s:
        assert set_setting(s, cast.admin, "cap", "2").cap == 2  # not below: no force needed
        assert set_setting(s, cast.admin, "cap", "1", force=True).cap == 1


def test_a_limit_under_what_someone_holds_needs_force(database: Database, cast: Cast) -> None:
    with database.writing() as s:
        s.exec(update(KeyAccount).values(manager_id=2))  # type: ignore[call-overload]  # mia runs both
    with pytest.raises(RuleError, match="manager_limit 1 is below what someone already manages"):
        with database.writing() as s:
            set_setting(s, cast.admin, "manager_limit", "1")
    with database.writing() as s:
        assert set_setting(s, cast.admin, "manager_limit", "1", force=True).manager_limit == 1
