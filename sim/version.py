"""The package version (also written into every run's ``run.json``) and, in a git checkout,
the commit the code came from (sweep reports, calibration outputs, benchmarks)."""

from __future__ import annotations

import subprocess
from pathlib import Path

__version__ = "0.1.0"

#: The checkout's top folder (the parent of ``sim/``); no checkout when installed from a wheel.
ROOT = Path(__file__).resolve().parents[1]


def git_commit(*, short: bool = False,
               paths: tuple[str, ...] = ("sim", "configs")) -> tuple[str, bool] | None:
    """The checkout's ``HEAD`` commit (abbreviated if ``short``) and whether ``paths`` have
    uncommitted changes; None when the package is not in a git checkout (installed from a
    wheel) or git cannot say."""
    if not (ROOT / ".git").exists():
        return None
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse",
                               *(["--short"] if short else []), "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", *paths],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return (head, bool(dirty)) if head else None


def model_version() -> str:
    """The package version and, in a git checkout, the commit (``+`` for local changes to
    ``sim/`` or ``configs/``): ``v0.1.0 (git 1a2b3c4+)``."""
    state = git_commit(short=True)
    if state is None:
        return f"v{__version__}"
    return f"v{__version__} (git {state[0]}{'+' if state[1] else ''})"


__all__ = ["ROOT", "__version__", "git_commit", "model_version"]
