"""The TUI's top-level areas, one screen each (this module is data only: the CLI reads the
area names for `kam tui --area` without loading Textual)."""

#: (mode, title, key, "module:Class" of its screen), in footer order.
AREAS: tuple[tuple[str, str, str, str], ...] = (
    ("dashboard", "Dashboard", "1", "screens.areas.dashboard:DashboardScreen"),
    ("accounts", "Accounts", "2", "screens.areas.accounts:KeyAccountsScreen"),
    ("candidates", "Candidates", "3", "screens.areas.candidates:CandidatesScreen"),
    ("vetting", "Vetting", "4", "screens.areas.vetting:VettingScreen"),
    ("sponsors", "Sponsors", "5", "screens.areas.sponsors:SponsorsScreen"),
    ("managers", "Managers", "6", "screens.areas.managers:ManagersScreen"),
    ("reviews", "Reviews", "7", "screens.areas.reviews:ReviewsScreen"),
)

#: The areas' names, as `kam tui --area` takes them.
NAMES: tuple[str, ...] = tuple(mode for mode, *_ in AREAS)
