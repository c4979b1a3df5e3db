"""Command-line slips caught before Hydra starts, in the project's one-line style.

Hydra answers a mistyped key (``sclae=0.1``), a key without its section (``workers=2``
for ``run.workers=2``) or an unknown option (``policy/support=entitlment``) with several
lines, a suggestion to append the key with ``+`` and exit status 1. :func:`compose_checked`
composes the config the way Hydra will, and turns such a failure into one line that names
the override, says what is wrong and what was probably meant; the command exits 2, as it
does for every other configuration error, and nothing is written.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from typing import Any, NoReturn

import yaml

from hydra import compose, initialize_config_module
from hydra._internal.utils import get_args_parser  # Hydra's own parser: the same flags
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import (ConfigCompositionException, MissingConfigException,
                          OverrideParseException)
from omegaconf import DictConfig

from sim.config_files import (CONFIG_NAME, CONFIG_PACKAGE, config_dir, config_groups,
                               group_options)


class OverrideError(ValueError):
    """An override the config cannot take; the message is one line."""


#: Hydra's modes, of which a command takes one: (the parsed argument, the flag as written)
MODES = (("run", "--run"), ("multirun", "-m"), ("cfg", "--cfg"), ("info", "--info"),
         ("shell_completion", "--shell-completion"))


class _OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse's: the usage, then the error
        print(f"revolving-door: configuration error: {message} (revolving-door --help lists "
              "the settings, --hydra-help Hydra's flags)", file=sys.stderr)
        sys.exit(2)


def parse_command_line(argv: list[str]) -> argparse.Namespace:
    """The command line parsed by Hydra's own parser (the same flags), a refused flag or
    flag value in one line and exit status 2, where argparse prints its usage first."""
    parser = get_args_parser()
    parser.__class__ = _OneLineParser
    return parser.parse_args(argv)


def check_modes(args: Any) -> None:
    """Hydra takes one of ``--run``, ``-m``, ``--cfg``, ``--info`` and
    ``--shell-completion`` at a time; two at once (``-m --cfg job``) is an
    :class:`OverrideError` here, where Hydra raises a ``ValueError`` from inside its main
    (a traceback). ``args``: Hydra's own parser's namespace."""
    given = [flag for name, flag in MODES
             if getattr(args, name) not in (None, False)]
    if len(given) > 1:
        raise OverrideError(
            f"{' and '.join(given)}: only one of --run, -m (--multirun), --cfg, --info and "
            "--shell-completion at a time (e.g. revolving-door --cfg job seed=1 prints one "
            "job's config, revolving-door -m seed=1,2 runs the sweep)")


def _compose(overrides: list[str], hydra: bool = False, job_name: str = "app") -> DictConfig:
    with initialize_config_module(config_module=CONFIG_PACKAGE, version_base="1.3",
                                  job_name=job_name):
        return compose(config_name=CONFIG_NAME, overrides=overrides, return_hydra_config=hydra)


def _paths(node: Any, prefix: str = "") -> list[str]:
    """Every dotted key of a config (sections and settings)."""
    out: list[str] = []
    if isinstance(node, DictConfig):
        for key in node.keys():
            path = f"{prefix}{key}"
            out.append(path)
            out += _paths(node._get_node(key), path + ".")  # type: ignore[union-attr]
    return out


def did_you_mean(word: str, candidates: list[str]) -> str | None:
    """The candidate a slip most likely meant: the same last part in another section
    (``workers`` -> ``run.workers``), else a neighbour it begins or is spelt like
    (``sclae`` -> ``scale``), else a setting elsewhere spelt like it."""
    candidates = [c for c in candidates if c != word and not word.startswith(c + ".")]
    parent, _, tail = word.rpartition(".")
    same_tail = sorted((c for c in candidates if c.rpartition(".")[2] == tail), key=len)
    if same_tail:
        return same_tail[0]
    siblings = {c.rpartition(".")[2]: c for c in candidates if c.rpartition(".")[0] == parent}
    started = sorted((t for t in siblings if t.startswith(tail)), key=len)
    close = started or difflib.get_close_matches(tail, list(siblings), n=1, cutoff=0.6)
    if close:  # cut short (experiment=false) or misspelt (sclae)
        return siblings[close[0]]
    tails = {}
    for c in sorted(candidates, key=len):
        tails.setdefault(c.rpartition(".")[2], c)
    close = difflib.get_close_matches(tail, list(tails), n=1, cutoff=0.75)
    return tails[close[0]] if close else None


def _unknown_key(key: str, value: str) -> str:
    if "/" in key:  # a config group that does not exist
        groups = config_groups()
        guess = did_you_mean(key, groups)
        hint = f"; did you mean {guess}={value}?" if guess else ""
        return f"{key}: no such config group{hint} (groups: {', '.join(groups)})"
    option_hint = _setting_of_other_options(key, value)
    if option_hint:
        return option_hint
    candidates = _paths(_compose([], hydra=key.startswith("hydra.")))
    guess = did_you_mean(key, candidates)
    if guess:
        return f"{key}: no such setting; did you mean {guess}={value}?"
    parent = key.rpartition(".")[0]
    inside = [c.rsplit(".", 1)[-1] for c in candidates if c.rpartition(".")[0] == parent]
    where = f"settings in {parent}" if parent else "top-level settings"
    return f"{key}: no such setting ({where}: {', '.join(inside)})"


def _option_keys(group: str, option: str, seen: tuple[str, ...] = ()) -> set[str]:
    """The settings an option file of a group sets, with those of its same-group defaults."""
    data = yaml.safe_load((config_dir() / group / f"{option}.yaml").read_text(
        encoding="utf-8")) or {}
    keys = {str(k) for k in data if k != "defaults"}
    for base in data.get("defaults", []) or []:
        if isinstance(base, str) and base != "_self_" and base not in seen:
            keys |= _option_keys(group, base, seen + (option,))
    return keys


def _setting_of_other_options(key: str, value: str) -> str | None:
    """``policy.support.cap_months=24`` under the status quo: the setting belongs to other
    options of the group (``policy/support=entitlement``); say which, rather than guessing a
    setting of the option chosen."""
    parts = key.split(".")
    if len(parts) != 3:
        return None
    group = f"{parts[0]}/{parts[1]}"
    if group not in config_groups():
        return None
    having = [o for o in sorted(group_options(group)) if parts[2] in _option_keys(group, o)]
    if not having:
        return None
    return (f"{key}: not a setting of the {group} option chosen; {parts[2]} belongs to "
            f"{group}={', '.join(having)}: choose one, e.g. {group}={having[0]} "
            f"{key}={value}")


def _unknown_option(missing: str, options: list[str]) -> str:
    group, _, option = missing.rpartition("/")
    guess = did_you_mean(option, options) if options else None
    hint = f"; did you mean {guess}?" if guess else ""
    return (f"{group}={option}: no such option{hint} (options: {', '.join(options)})")


def explain(err: Exception, overrides: list[str]) -> str:
    """One line for a Hydra composition failure."""
    text = str(err)
    if isinstance(err, MissingConfigException):
        found = re.search(r"Could not find '([^']+)'", text)
        missing = found.group(1) if found else str(err.missing_cfg_file)
        group = missing.rpartition("/")[0]
        options = list(err.options or []) or group_options(group)
        return _unknown_option(missing, options)
    if isinstance(err, OverrideParseException):
        return f"cannot read the override: {text.splitlines()[0]}"
    found = re.search(r"Could not override '([^']+)'", text)
    if found:
        key = found.group(1)
        value = next((o.split("=", 1)[1] for o in overrides
                      if o.split("=", 1)[0].lstrip("+~") == key and "=" in o), "...")
        return _unknown_key(key, value)
    found = re.search(r"Error merging override (\S+?)=(.*)", text)
    if found and err.__cause__ is not None:
        reason = str(err.__cause__).splitlines()[0]
        return f"{found.group(1)}: value {found.group(2)!r} not accepted: {reason}"
    found = re.search(r"Ambiguous value for argument '([^']+)'", text)
    if found:
        return (f"{found.group(1)}: several values make a sweep: add -m (or write "
                f"key=[a,b] for a list)")
    found = re.search(r"An item is already at '([^']+)'", text)
    if found:
        return f"+{found.group(1)}: {found.group(1)} is already set; leave out the +"
    return text.strip().splitlines()[0]


def _check_groups(overrides: list[str]) -> list[str]:
    """Check every option named for an app config group (each value of a swept one), and
    return the overrides of a sweep's first job (each swept key at its first value)."""
    groups = set(config_groups())
    out = []
    for text, over in zip(overrides, OverridesParser.create().parse_overrides(overrides)):
        sweep = over.is_sweep_override()
        values = (list(over.sweep_string_iterator()) if sweep
                  else [] if over.is_delete() else [text.split("=", 1)[1]])
        if over.key_or_group in groups:
            options = group_options(over.key_or_group)
            for v in values:
                if v not in options:
                    raise OverrideError(_unknown_option(f"{over.key_or_group}/{v}", options))
        out.append(f"{over.get_key_element()}={values[0]}" if sweep else text)
    return out


def compose_checked(overrides: list[str], multirun: bool = False,
                    with_hydra: bool = False, job_name: str = "app") -> DictConfig:
    """The config Hydra will compose (a sweep's first job), or :class:`OverrideError`;
    ``with_hydra``: with Hydra's own node (``hydra``), whose ``hydra.job.name`` is
    ``job_name`` (Hydra's app names it after the module of its task function)."""
    try:
        first = _check_groups(overrides)
        if not multirun:
            first = overrides  # Hydra itself says a sweep needs -m
        return _compose(first, hydra=with_hydra, job_name=job_name)
    except OverrideError:
        raise
    except (ConfigCompositionException, MissingConfigException, OverrideParseException,
            ValueError) as err:
        raise OverrideError(explain(err, overrides)) from err

