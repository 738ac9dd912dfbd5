"""The commit a benchmark measured, for its results file."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def git_commit(directory: Path = ROOT) -> str:
    """The checkout's short commit, with "+dirty" when tracked files other than bench/results
    differ from it (results written by an earlier benchmark do not change what is measured).
    "" when the directory is not a git checkout."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=directory, capture_output=True, text=True
    ).stdout.strip()
    if not head:
        return ""
    changed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"],
        cwd=directory,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return head + ("+dirty" if changed else "")
