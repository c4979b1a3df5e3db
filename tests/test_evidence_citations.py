"""Every citation of the evidence page in the code, configs, tests and pages names a row the
page has, and nothing cites the old note outside the repository (issue 12).

Run records (``calibration/*/``, ``experiments/results/``) keep the sources that were in
force when they were made and are not checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.evidence import PAGE, anchors, citation_problems

ROOT = Path(__file__).resolve().parent.parent
PATTERNS = ("sim/**/*.py", "sim/**/*.yaml", "configs/**/*.yaml", "tests/**/*.py", "docs/*.md",
            "docs/*.csv", "README.md", "experiments/*.md", "experiments/*/README.md")


def _files() -> list[Path]:
    found = {p for pattern in PATTERNS for p in ROOT.glob(pattern)}
    return sorted(p for p in found if p != PAGE and ".venv" not in p.parts)


FILES = _files()


def _text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        # adjacent string literals are one string: an anchor may be split across lines
        text = re.sub(r'"\n\s*f?"', "", text)
    if path.suffix == ".yaml":
        # a long text in a parameter file is folded over lines (">-"): one line break is a
        # space, so an anchor is never split, but a citation may run over two lines
        text = re.sub(r"\n\s+", " ", text)
    return text


def test_the_scan_sees_the_files_that_cite_the_page() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in FILES}
    for expected in ("sim/parameters.py", "sim/config.py", "sim/metrics.py",
                     "sim/params/costs.yaml", "docs/parameters.md", "README.md",
                     "experiments/council_variation.md"):
        assert expected in names, expected
    assert sum(len(re.findall(r"evidence\.md#", _text(p))) for p in FILES) >= 80


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(ROOT).as_posix() for p in FILES])
def test_file_cites_only_rows_the_evidence_page_has(path: Path) -> None:
    problems = citation_problems(_text(path), anchors())
    assert not problems, f"{path.relative_to(ROOT)}: " + "; ".join(problems)


def test_evidence_page_links_to_its_own_anchors() -> None:
    text = PAGE.read_text(encoding="utf-8")
    ids = re.findall(r'<a id="([^"]+)"></a>', text)
    assert len(ids) == len(set(ids)), "an anchor is defined twice"
    missing = sorted(set(re.findall(r"\]\(#([A-Za-z0-9_-]+)\)", text)) - set(ids))
    assert not missing, f"docs/evidence.md links to anchors it lacks: {missing}"
