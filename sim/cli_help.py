"""``revolving-door --help``: what the command does, its config groups and their options,
and its main settings, read from the installed configs (so the list cannot go stale).
With ``--version``, and a setting written as a flag (``--scale 0.1``), answered by
:func:`early_answer` before the command imports Hydra or the model (start-up: issue 25).

Hydra's own help (``--hydra-help``) and the whole composed config (``--cfg job``) are
still there for whoever needs them.
"""

from __future__ import annotations

import re
import sys
import textwrap

import yaml

from sim.config_files import CONFIG_NAME, config_dir, config_groups, group_options
from sim.version import __version__

ABOUT = """\
revolving-door: simulate children returning home from care in England (an agent-based
model of about 150 councils), print how the run compares with the published figures and
what it costs councils, and write its outputs to outputs/<date>/<time>/.

Usage:
  revolving-door [key=value ...] [group=option ...]     one run
  revolving-door -m [key=a,b ...] [group=a,b ...]       a sweep (one run for each combination)

Examples:
  revolving-door scale=0.1 seed=3                       a tenth of England, another seed
  revolving-door policy/support=entitlement policy/monitoring=m12
  revolving-door councils=from_data councils.path=DIR years=3
                                                        your council from its SSDA903 files,
                                                        starting at its extract date
  revolving-door -m experiment=false_economy size=quick
"""

FOOTER = """\
Every model parameter is a setting too: params.<section>.<name>=value
(revolving-door-params lists them with units and sources). More: --cfg job prints the
whole config, --hydra-help Hydra's own options, README.md the rest."""

#: sections of config.yaml whose settings the help lists (besides the top-level ones)
SECTIONS = ("run", "ensemble")
_SETTING = re.compile(r"^(?P<indent> *)(?P<key>[a-z_]+):\s*(?P<value>[^#\s][^#]*?)?\s*"
                      r"(?:#\s*(?P<note>.*))?$")
_NOTE_GOES_ON = re.compile(r"^ {4,}#\s*(?P<note>.*)$")


def _defaults() -> dict[str, str]:
    """The default option of each group (the primary config's defaults list)."""
    data = yaml.safe_load((config_dir() / f"{CONFIG_NAME}.yaml").read_text(encoding="utf-8"))
    out: dict[str, str] = {}
    for entry in data.get("defaults", []):
        if isinstance(entry, dict):
            for group, option in entry.items():
                out[str(group)] = "null" if option is None else str(option)
    return out


def _settings() -> list[tuple[str, str, str]]:
    """(key, default, note) for the top-level settings and those of :data:`SECTIONS`, with
    the note written beside each in config.yaml."""
    rows: list[tuple[str, str, str]] = []
    section, last = "", False  # last: the previous line was a listed setting
    for line in (config_dir() / f"{CONFIG_NAME}.yaml").read_text(encoding="utf-8").splitlines():
        more = _NOTE_GOES_ON.match(line)
        if more and last:  # the note goes on under the setting
            key, value, note = rows[-1]
            rows[-1] = (key, value, f"{note} {more['note']}")
            continue
        m = _SETTING.match(line)
        n_rows = len(rows)
        last = False
        if not m:
            continue
        if not m["indent"]:
            section = m["key"] if m["value"] is None else ""
            if m["value"] is not None:
                rows.append((m["key"], m["value"], m["note"] or ""))
        elif section in SECTIONS and len(m["indent"]) == 2 and m["value"] is not None:
            rows.append((f"{section}.{m['key']}", m["value"], m["note"] or ""))
        last = len(rows) > n_rows
    return rows


def _natural(name: str) -> tuple[str, int]:
    """m3 before m12."""
    m = re.fullmatch(r"(\D*)(\d+)", name)
    return (m[1], int(m[2])) if m else (name, -1)


def _groups() -> list[str]:
    defaults = _defaults()
    lines = []
    for group in config_groups():
        default = defaults.get(group)
        names = sorted(group_options(group), key=_natural)
        if default is not None and default not in names:  # "null", or a structured default
            names.insert(0, "(none)" if default == "null" else default)
        options = [f"{o}*" if o in (default, "(none)") else o for o in names]
        text = ", ".join(options)
        lines += textwrap.wrap(text, width=96, initial_indent=f"  {group:<20s}",
                               subsequent_indent=" " * 22)
    return lines


def help_text() -> str:
    """The whole help, as printed."""
    rows = _settings()
    width = max(len(f"{k}={v}") for k, v, _ in rows) + 2
    settings = []
    for key, value, note in rows:
        settings += textwrap.wrap(note or "-", width=96, break_on_hyphens=False,
                                  initial_indent=f"  {key + '=' + value:<{width}s}",
                                  subsequent_indent=" " * (width + 2))
    return "\n".join([ABOUT, "Config groups (group=option; * the default):", *_groups(), "",
                      "Settings (key=default, from configs/config.yaml):", *settings,
                      "", FOOTER])


#: Flags of the command itself (Hydra's parser); anything else written --name is a slip.
_FLAGS = ("--help", "-h", "--hydra-help", "--version", "--cfg", "-c", "--resolve",
          "--package", "-p", "--run", "-r", "--multirun", "-m", "--shell-completion",
          "-sc", "--config-path", "-cp", "--config-name", "-cn", "--config-dir", "-cd",
          "--experimental-rerun", "--info", "-i")


def dashed_setting(argv: list[str]) -> str | None:
    """One line for a setting written as a flag (``--scale 0.1``): settings are key=value."""
    for i, arg in enumerate(argv):
        if not arg.startswith("--") or arg.split("=", 1)[0] in _FLAGS:
            continue
        key, eq, value = arg[2:].partition("=")
        if not eq:
            nxt = argv[i + 1] if i + 1 < len(argv) else ""
            value = nxt if nxt and not nxt.startswith("-") and "=" not in nxt else "..."
        return (f"{arg}: not an option of the command; settings are written key=value: "
                f"{key}={value} (revolving-door --help lists them)")
    return None


def early_answer(argv: list[str]) -> int | None:
    """Answer ``--help``, ``--version`` or a setting written as a flag without starting
    anything else: the exit status (0, or 2 for a slip), or None to go on."""
    if "--help" in argv or "-h" in argv:
        print(help_text())
        return 0
    if "--version" in argv:  # the project's version, not Hydra's
        print(f"revolving-door {__version__}")
        return 0
    slip = dashed_setting(argv)
    if slip:
        print(f"revolving-door: {slip}", file=sys.stderr)
        return 2
    return None
