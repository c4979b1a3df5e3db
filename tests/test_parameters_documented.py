"""Every parameter carries a label, a unit, a source and a range (issue 2)."""

from __future__ import annotations

import dataclasses
import re

from sim.calibration.provenance import all_parameters, load_ranges
from sim.calibration.targets import COUNCIL_METRIC, COUNCIL_TARGET, TARGETS
from sim.config import CouncilPractice, ModelConfig, PracticeSpread
from sim.evidence import anchors as evidence_anchors
from sim.evidence import citation_problems
from sim.parameters import Parameters, iter_parameters
from sim.policies import REGISTRY


def _leaves() -> list[tuple[str, object, dict]]:
    out = iter_parameters(Parameters(), "params.")
    out += iter_parameters(PracticeSpread(), "councils.spread.")
    out += iter_parameters(CouncilPractice(), "practice.")
    top = [f for f in dataclasses.fields(ModelConfig) if f.name in
           ("seed", "scale", "years", "warmup_years", "price_year", "start_year")]
    out += [(f.name, None, dict(f.metadata)) for f in top]
    for lever, kinds in REGISTRY.items():
        for kind, cls in kinds.items():
            for f in dataclasses.fields(cls):
                if f.init and f.name != "councils":
                    out.append((f"policy.{lever}.{kind}.{f.name}", None, dict(f.metadata)))
    return out


def test_every_parameter_has_label_unit_source_and_range() -> None:
    leaves = _leaves()
    assert len(leaves) > 100
    missing = [path for path, _, meta in leaves
               if not (meta.get("label") and meta.get("unit") and meta.get("source")
                       and meta.get("range"))]
    assert not missing, f"parameters without label/unit/source/range: {missing}"


def test_cost_parameters_say_their_price_year() -> None:
    for path, _, meta in iter_parameters(Parameters().costs, "costs."):
        if meta["unit"].startswith("GBP"):
            assert "prices" in meta["unit"], path


def _citation_errors(where: str, text: str, known: set[str]) -> list[str]:
    """Old-note citations, unknown anchors, and mentions of the page without an anchor."""
    errors = [f"{where}: {p}" for p in citation_problems(text, known)]
    for m in re.finditer(r"(\S*)evidence\.md(#[A-Za-z0-9_-]+)?", text):
        if not (m.group(1).endswith("docs/") and m.group(2)):
            errors.append(f"{where}: {m.group(0)!r} is not docs/evidence.md#<anchor>")
    return errors


def test_sources_cite_rows_of_the_projects_evidence_page() -> None:
    """Every parameter source, range reason and calibration target that cites the evidence
    page cites a row the page has, as ``docs/evidence.md#<anchor>``; none cites the old note
    outside the repository (issue 12)."""
    known = evidence_anchors()
    assert {"dfe-starts-2009-10", "holmes-support", "council-practice-claim"} <= known
    texts = [(p.path, p.source or "") for p in all_parameters()]
    texts += [(f"plausible range of {path}", r.reason) for path, r in load_ranges().items()]
    targets = {**TARGETS, COUNCIL_METRIC: COUNCIL_TARGET}
    texts += [(f"target {name}", src) for name, (_, _, src) in targets.items()]
    cited = [where for where, text in texts if "evidence.md#" in text]
    assert len(cited) >= 40, cited  # the check must see the citations it guards
    errors = [e for where, text in texts for e in _citation_errors(where, text, known)]
    assert not errors, "\n".join(errors)


def test_citation_check_catches_old_and_unknown_citations() -> None:
    # the bad citations are spelt in pieces (section sign escaped) so that the scan of this
    # file in tests/test_evidence_citations.py does not find them
    known = {"holmes-support"}
    good = "docs/evidence.md#" + "holmes-support: £1,644"
    assert _citation_errors("x", good, known) == []
    for bad in ("shared/" "evidence.md \u00a73: £1,644", "evidence.md \u00a72 note",
                "``docs/evidence.md`` \u00a73", "docs/evidence.md#" + "holmes-suport",
                "evidence.md#" + "holmes-support", "docs/evidence.md: £1,644"):
        assert _citation_errors("x", bad, known), bad


def test_evidence_page_tables_are_the_parameter_files() -> None:
    """The evidence page's tables of judged and calibrated values, and of the price index,
    are what ``revolving-door-params`` makes from sim/params/*.yaml and sim/prices.py
    (issue 21: they had gone stale, e.g. frailty_variance 0.169 on the page, 0.912 in the
    file). Run ``revolving-door-params`` after changing a parameter file."""
    from pathlib import Path

    from sim.calibration.params_table import EVIDENCE_TABLES, evidence_tables, read_regions

    page = read_regions((Path(__file__).parents[1] / "docs" / "evidence.md")
                        .read_text(encoding="utf-8"))
    made = evidence_tables()
    assert set(made) == set(EVIDENCE_TABLES) | {"price-index"}
    stale = [name for name in made if page.get(name) != made[name]]
    assert not stale, (f"docs/evidence.md tables out of date with the parameter files: "
                       f"{stale}; run revolving-door-params")
    # the tables carry the files' values: a calibrated one, read independently of the code
    import yaml
    doc = yaml.safe_load((Path(__file__).parents[1] / "sim" / "params" / "after_return.yaml")
                         .read_text(encoding="utf-8"))
    fv = doc["parameters"]["frailty_variance"]["value"]
    assert f"| `params.after_return.frailty_variance` | {fv:g} (cal" in page[
        "judgements-after-return"]
