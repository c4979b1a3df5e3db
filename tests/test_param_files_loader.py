"""The parameter files read with PyYAML's C safe loader (sim/param_files.py, issue 25:
start-up) give the values the pure-Python safe loader gives, file by file, and a broken
file is still refused with the file's name."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.param_files import PARAMS_DIR, SAFE_LOADER, ParamFileError, read_group

FILES = sorted(PARAMS_DIR.glob("*.yaml"))


def test_the_c_loader_is_used_where_pyyaml_has_it() -> None:
    assert SAFE_LOADER is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_each_parameter_file_reads_as_the_python_loader_reads_it(path: Path) -> None:
    python = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert read_group(path.stem) == python


def test_a_broken_file_is_refused_with_its_name(tmp_path: Path) -> None:
    (tmp_path / "care.yaml").write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(ParamFileError, match="care.yaml: not valid YAML"):
        read_group("care", tmp_path)
