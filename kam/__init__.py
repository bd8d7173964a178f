"""kam: key account management. Services, settings and the CLI; no UI imports here."""

__version__ = "0.1.0"
