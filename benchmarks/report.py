"""The report: a Markdown table for the README, and the raw numbers as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.results import Keys, Result


def _met(result: Result) -> str:
    if result.error:
        return "failed"
    if result.met is None:
        return "–"
    if result.met:
        return "yes"
    return f"**no** ({result.why})" if result.why else "**no**"


def _seconds(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def markdown(
    results: list[Result], keys: list[Keys], machine: dict[str, str], command: str, when: str,
    pairs: int,
) -> str:  # fmt: skip
    """The whole report as Markdown."""
    sqlite = f"SQLite {machine['sqlite_python']} (Python's module, kam's)"
    if machine.get("sqlite_cli") == machine["sqlite_python"]:
        sqlite = f"SQLite {machine['sqlite_python']} (kam's Python module and the sqlite3 CLI)"
    elif machine.get("sqlite_cli"):
        sqlite += f", {machine['sqlite_cli']} (sqlite3 CLI)"
    postgres = f" · PostgreSQL {machine['postgresql']}" if machine.get("postgresql") else ""
    lines = [
        f"### kam speed, {when}",
        "",
        f"Machine: {machine['cpu']} · {machine['cores']} cores · {machine['ram']} RAM · "
        f"{machine['os']} · Python {machine['python']} · {sqlite}{postgres} · "
        f"load average at the start {machine['load']}",
        "",
        f"Command: `{command}`",
        "",
    ]
    if results:
        lines += [
            f"Each row: one warm-up pair, then {pairs} pairs run alternately (kam, reference, kam, "
            "reference, …). Ratio: kam's time over the reference's within each pair, median "
            "(min–max over the pairs). Seconds: each side's median. Peak: each process's own "
            "peak resident memory (ru_maxrss from wait4 on its pid, forked by a small launcher), "
            f"the largest of its runs; below {machine.get('peak_floor_mib', '?')} MiB (the "
            "launcher's own size) a peak reads as that. kam's own modules are byte-compiled "
            "first, as an installed kam has them.",
            "",
            "| # | row | size | kam s | ref. s | kam/ref. median (min–max) | kam peak MiB "
            "| ref. peak MiB | target | met |",
            "|---|---|---|---:|---:|---:|---:|---:|---|---|",
        ]
    for n, r in enumerate(results, start=1):
        if r.error:
            lines.append(f"| {n} | {r.title} | {r.size} | | | | | | {r.target} | failed |")
            continue
        ratios = r.ratios
        lines.append(
            f"| {n} | {r.title} | {r.size} | {_seconds(r.kam_seconds)} | "
            f"{_seconds(r.ref_seconds)} | **{r.ratio:.2f}×** ({min(ratios):.2f}–"
            f"{max(ratios):.2f}) | {r.kam_peak_mib:,.0f} | {r.ref_peak_mib:,.0f} | "
            f"{r.target} | {_met(r)} |"
        )
    if keys:
        lines += [
            "",
            "Keystroke latency in the candidates area's filter: from writing a key to the pty "
            "to the frame showing the filter's new text and its count (real names' first 1 "
            "to 5 letters).",
            "",
            "| base | customers | keys | p50 ms | p90 ms | max ms | kam peak MiB |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for k in keys:
            if k.error or not k.latencies:
                lines.append(f"| {k.size} | {k.customers:,} | {len(k.latencies)} | failed | | | |")
                continue
            lines.append(
                f"| {k.size} | {k.customers:,} | {len(k.latencies)} | "
                f"{k.percentile(50) * 1000:.0f} | {k.percentile(90) * 1000:.0f} | "
                f"{max(k.latencies) * 1000:.0f} | {k.peak_kib / 1024:,.0f} |"
            )
    lines += ["", "What each row runs (kam · reference):", ""]
    for n, r in enumerate(results, start=1):
        note = f" ({r.note})" if r.note else ""
        lines.append(f"{n}. `{r.kam}` · `{r.reference}`{note}")
    for k in keys[:1]:
        lines.append(f"- keystrokes: `{k.command}`")
    failures = [(r.title, r.error) for r in results if r.error]
    failures += [(f"keystrokes, {k.size}", k.error) for k in keys if k.error]
    if failures:
        lines += ["", "Failed:", ""]
        lines += [f"- {title}: {error.splitlines()[0]}" for title, error in failures]
    return "\n".join(lines) + "\n"


def _result(r: Result) -> dict[str, Any]:
    raw = asdict(r)
    if not r.error:
        raw["summary"] = {
            "ratio_median": r.ratio, "ratio_min": min(r.ratios), "ratio_max": max(r.ratios),
            "kam_seconds_median": r.kam_seconds, "ref_seconds_median": r.ref_seconds,
            "kam_peak_mib": r.kam_peak_mib, "ref_peak_mib": r.ref_peak_mib,
        }  # fmt: skip
    return raw


def _keys(k: Keys) -> dict[str, Any]:
    raw = asdict(k)
    if k.latencies:
        raw["summary"] = {
            "p50_ms": k.percentile(50) * 1000, "p90_ms": k.percentile(90) * 1000,
            "max_ms": max(k.latencies) * 1000, "keys": len(k.latencies),
        }  # fmt: skip
    return raw


def write_json(
    path: Path, results: list[Result], keys: list[Keys], machine: dict[str, str], command: str,
    when: str, options: dict[str, Any],
) -> None:  # fmt: skip
    """Every sample of every row, with the machine and the command line."""
    document = {
        "date": when,
        "command": command,
        "options": options,
        "machine": machine,
        "rows": [_result(r) for r in results],
        "keystrokes": [_keys(k) for k in keys],
    }
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False, default=str) + "\n")
