"""Resume reruns a job whose settings changed in any way (issue 23, survivor 4).

``run.resume=true`` skips a folder only when it holds a complete run of exactly the
configuration the command would run now (``sim.cli._run_in``: :func:`sim.cli.model_config`
then :func:`sim.sweep.jobs.is_complete`). Each test composes the command's configuration
with Hydra as the command does, writes a tiny run from the first, and asks whether the
second would be skipped: a changed parameter, an ensemble file whose contents changed under
the same name, and a policy option each force a rerun; the same configuration does not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hydra import compose, initialize_config_module

import sim
import sim.cli
from sim.config_files import CONFIG_NAME, CONFIG_PACKAGE
from sim.sweep import jobs

SMALL = ["scale=0.01", "warmup_years=2", "years=2", "seed=3"]


def _model_config(overrides: list[str]) -> dict[str, object]:
    with initialize_config_module(config_module=CONFIG_PACKAGE, version_base="1.3"):
        cfg = compose(config_name=CONFIG_NAME, overrides=SMALL + overrides)
    return sim.cli.model_config(cfg)[0].to_dict()


def _ensemble(path: Path, children_per_year: float) -> Path:
    path.write_text(yaml.safe_dump({"status": "accepted", "members": [
        {"overrides": {"params.entry.children_per_year": children_per_year}}]}))
    return path


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A complete run of the first configuration, with an ensemble file and a support
    policy option set."""
    tmp = tmp_path_factory.mktemp("resume")
    ens = _ensemble(tmp / "ensemble.yaml", 30000.0)
    first = _model_config([f"ensemble.file={ens}", "policy/support=entitlement"])
    out = tmp / "run"
    sim.run(first).write(out)
    return out, ens


def _first(ens: Path) -> list[str]:
    return [f"ensemble.file={ens}", "policy/support=entitlement"]


def test_the_same_settings_are_skipped(done: tuple[Path, Path]) -> None:
    out, ens = done
    assert jobs.is_complete(out, _model_config(_first(ens)))


def test_a_changed_parameter_forces_a_rerun(done: tuple[Path, Path]) -> None:
    out, ens = done
    assert not jobs.is_complete(out, _model_config(
        _first(ens) + ["params.after_return.breakdown_other=0.001"]))
    assert not jobs.is_complete(out, _model_config(_first(ens) + ["price_year=2019"]))


def test_an_ensemble_file_changed_under_the_same_name_forces_a_rerun(
        done: tuple[Path, Path], tmp_path: Path) -> None:
    out, ens = done
    changed = _ensemble(tmp_path / "ensemble.yaml", 25000.0)
    assert not jobs.is_complete(out, _model_config([f"ensemble.file={changed}",
                                                    "policy/support=entitlement"]))
    # the same contents under another name: the same run
    same = _ensemble(tmp_path / "copy.yaml", 30000.0)
    assert jobs.is_complete(out, _model_config([f"ensemble.file={same}",
                                                "policy/support=entitlement"]))
    # no ensemble at all: the defaults, another run
    assert not jobs.is_complete(out, _model_config(["policy/support=entitlement"]))


def test_a_policy_option_forces_a_rerun(done: tuple[Path, Path]) -> None:
    out, ens = done
    for option in ("policy.support.cap_months=12", "policy.support.assessment_cost=600",
                   "policy/monitoring=m12", "policy/treatment=t25"):
        assert not jobs.is_complete(out, _model_config(_first(ens) + [option])), option
    assert not jobs.is_complete(out, _model_config([f"ensemble.file={ens}"]))  # status quo
    # a sensitivity setting changes the support the run is given
    assert not jobs.is_complete(out, _model_config(_first(ens) + ["sensitivity=cost_half"]))
