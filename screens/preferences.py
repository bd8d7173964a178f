"""The user's TUI preferences (the theme), kept in a small JSON file in the user's config
directory (KAM_CONFIG_DIR, else platformdirs' user config directory for kam)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

#: The environment variable naming another config directory (the tests point it at a
#: temporary one).
CONFIG_DIR_VARIABLE = "KAM_CONFIG_DIR"
FILE_NAME = "preferences.json"


def path() -> Path:
    """Where the preferences live."""
    folder = os.environ.get(CONFIG_DIR_VARIABLE)
    if not folder:
        from platformdirs import user_config_dir

        folder = user_config_dir("kam")
    return Path(folder) / FILE_NAME


def load() -> dict[str, Any]:
    """The preferences saved, or none when the file is missing or unreadable."""
    try:
        data = json.loads(path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(**values: Any) -> None:
    """Keep these preferences (beside those kept already); a file that cannot be written
    is left alone: a preference is never worth an error."""
    data = load() | values
    target = path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError:
        pass
