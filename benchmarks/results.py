"""What a row measured, and the context every row runs in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from benchmarks import data as datasets
from benchmarks.bases import Postgres, SQLiteBases
from benchmarks.process import Sample


@dataclass
class Result:
    """kam against its reference, measured in alternating pairs."""

    key: str
    title: str
    size: str
    kam: str
    """kam's command, as run."""
    reference: str
    """The reference's command, as run."""
    kam_runs: list[Sample] = field(default_factory=list)
    ref_runs: list[Sample] = field(default_factory=list)
    target: str = ""
    met: bool | None = None
    """Whether the target was met; None without a target (or when the row failed)."""
    why: str = ""
    """Which part of the target was missed, when it has parts."""
    note: str = ""
    error: str = ""

    @property
    def ratios(self) -> list[float]:
        return [k.seconds / r.seconds for k, r in zip(self.kam_runs, self.ref_runs, strict=True)]

    @property
    def ratio(self) -> float:
        return median(self.ratios)

    @property
    def kam_seconds(self) -> float:
        return median(s.seconds for s in self.kam_runs)

    @property
    def ref_seconds(self) -> float:
        return median(s.seconds for s in self.ref_runs)

    @property
    def kam_peak_mib(self) -> float:
        """The largest own peak of kam's measured runs."""
        return max(s.peak_kib for s in self.kam_runs) / 1024

    @property
    def ref_peak_mib(self) -> float:
        return max(s.peak_kib for s in self.ref_runs) / 1024


@dataclass
class Keys:
    """Keystroke latencies in one TUI session."""

    size: str
    customers: int
    command: str
    typed: list[str] = field(default_factory=list)
    """Each measured key's filter text after it, in order."""
    latencies: list[float] = field(default_factory=list)
    """Seconds from writing each key to the frame showing its result."""
    peak_kib: int = 0
    error: str = ""

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile (p in 0..100) of the latencies, in seconds."""
        ordered = sorted(self.latencies)
        rank = max(1, -(-len(ordered) * p // 100))  # ceil
        return ordered[int(rank) - 1]


@dataclass
class Context:
    """Where rows find the programs, the data and the databases."""

    work: Path
    kam: str
    python: str
    env: dict[str, str]
    pairs: int
    xlsx_rows: int
    key_names: int
    sqlite: SQLiteBases
    pg: Postgres | None
    say: Callable[[str], None]
    _data: dict[datasets.Spec, datasets.Dataset] = field(default_factory=dict)

    def data(self, spec: datasets.Spec) -> datasets.Dataset:
        """The dataset for `spec`, made (or found in the work folder) once."""
        if spec not in self._data:
            self.say(f"data: {spec.describe()}")
            self._data[spec] = datasets.ensure(spec, self.work)
        return self._data[spec]

    @property
    def run_folder(self) -> Path:
        folder = self.work / "run"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
