"""One benchmark runner for kam: `python -m benchmarks [--only ROWS] [--size SIZES] …`.

Every row runs kam and a reference alternately (one warm-up pair, then --pairs pairs) and
reports the median ratio kam/reference with its min–max over the pairs, each side's
median seconds, and each process's own peak memory (wait4 on its pid).

Rows (--only): import (SQLite), import-pg (PostgreSQL), xlsx, batch, pareto, dashboard,
help, list, tui-first, keys. Modules: data (generated CSV/XLSX), bases (kam databases to
copy), process (timing one process), tui (the pty driver and its screen model), rows and
tui_rows (the rows), results and report (Markdown and JSON). Beside the runner,
`python -m benchmarks.import_phases DB FILE` times the phases of one import.
"""
