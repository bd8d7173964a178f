"""Field limits: lengths and patterns that input models, forms and the schema share.

Services build their pydantic input models from these; TUI forms read them back from the
input models (`screens.forms.limits`), so a limit changes in one place.
"""

from __future__ import annotations

#: A login: an OS account name (letters, digits, `_`, `.`, `-`, `@`; not starting with `-`).
LOGIN_PATTERN = r"^[A-Za-z0-9_.][A-Za-z0-9_.@-]*$"
LOGIN = 64
#: Names and titles of people, customers, practices, courses.
NAME = 200
#: A customer's code (an id from another system).
CODE = 64
#: Industry and region labels.
LABEL = 100
#: Phone numbers.
PHONE = 50
#: The people named on an interaction.
PEOPLE = 500
#: Notes, reasons, rationales, promises.
NOTE = 2000
#: Complaint summaries and resolutions.
LONG_NOTE = 5000
#: An interaction's summary.
SUMMARY = 10_000
#: A sold product's code and an order number, on imported sales lines.
PRODUCT = 100
ORDER_ID = 100
