"""Forms take their limits from the services' input models: one source for both."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from kam.services.commitments import CommitmentInput
from kam.services.users import UserInput
from screens.forms.limits import max_length
from screens.forms.validators import Login

LOGINS = ["mia", "j.doe@corp", "ana-maria", "o_neil", "x" * 64, "x" * 65, "-lead", "a b", "", "é"]


@pytest.mark.parametrize("login", LOGINS)
def test_a_login_field_accepts_exactly_what_kam_user_add_accepts(login: str) -> None:
    try:
        UserInput(login=login, role="viewer")  # type: ignore[arg-type]
        service = True
    except ValidationError:
        service = False
    assert Login().validate(login).is_valid == service


def test_the_known_logins_read_as_expected() -> None:
    assert [Login().validate(x).is_valid for x in LOGINS] == [
        True, True, True, True, True, False, False, False, False, False,
    ]  # fmt: skip


def test_lengths_come_from_the_input_models() -> None:
    assert max_length(CommitmentInput, "description") == 2000
    assert max_length(UserInput, "login") == 64
