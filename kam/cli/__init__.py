"""The kam command line: one Typer sub-app per noun. Heavy modules load inside commands."""
