"""Where the Hydra configs are: the one lookup every caller uses.

The configs live in the top-level ``configs/`` folder of the checkout, which pyproject.toml
maps to the package ``sim.configs``: an editable install reads the checkout's folder, a wheel
or ``pip install .`` carries the files as package data. Nothing builds a path to them from the
location of a source file, so the command works wherever the package is installed.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: The package that holds the configs (``configs/`` in the checkout).
CONFIG_PACKAGE = "sim.configs"
#: Hydra's search path for it (``@hydra.main(config_path=...)``).
HYDRA_CONFIG_PATH = f"pkg://{CONFIG_PACKAGE}"
#: The primary config's name (``config.yaml``).
CONFIG_NAME = "config"


def config_dir() -> Path:
    """The folder of the installed configs (a real folder in both kinds of install)."""
    folder = Path(str(resources.files(CONFIG_PACKAGE)))
    if not (folder / f"{CONFIG_NAME}.yaml").is_file():
        raise FileNotFoundError(f"{CONFIG_PACKAGE}: no {CONFIG_NAME}.yaml in {folder}; "
                                f"reinstall the package (pip install .)")
    return folder


def group_options(group: str) -> list[str]:
    """The options of a config group (``policy/support`` -> ``entitlement``, ...), sorted."""
    return sorted(p.stem for p in (config_dir() / group).glob("*.yaml"))


def config_groups() -> list[str]:
    """The config groups of the app (``councils``, ``policy/support``, ...), sorted; Hydra's
    own (``hydra/launcher``) are left to ``--hydra-help``."""
    root = config_dir()
    groups = {p.parent.relative_to(root).as_posix() for p in root.rglob("*.yaml")}
    return sorted(g for g in groups if g != "." and not g.startswith("hydra"))
