"""Citations of the project's evidence page, ``docs/evidence.md`` (issue 12).

Every parameter source, range reason, calibration target and figure footer cites a row of
the page as ``docs/evidence.md#<anchor>``, where the anchor is an ``<a id="...">`` in the
page. :func:`citation_problems` lists what is wrong with the citations in a text: a
citation of the working note outside the repository that the page replaces (its path
under ``shared``, or "evidence.md" with a section sign and number) or an anchor the page
lacks.
"""

from __future__ import annotations

import re
from pathlib import Path

#: The evidence page in a checkout of the repository.
PAGE = Path(__file__).resolve().parent.parent / "docs" / "evidence.md"

#: An anchor defined in the page.
ANCHOR_DEF = re.compile(r'<a id="([^"]+)"></a>')
#: A citation of a row of the page: ``evidence.md#<anchor>``, also as a Markdown link
#: target (``../docs/evidence.md#<anchor>``).
CITATION = re.compile(r"evidence\.md#([A-Za-z0-9_-]+)")
#: A citation of the old note: its path under ``shared``, "evidence.md" then a section sign
#: (backticks allowed between), or a section sign before a number. Written with escapes so
#: that this file does not match itself.
OLD_CITATION = re.compile("shared[/]evidence\\.md|evidence\\.md`*\\s*\u00a7|\u00a7\\s*\\d")


def anchors(page: Path = PAGE) -> set[str]:
    """The anchors the evidence page defines."""
    return set(ANCHOR_DEF.findall(page.read_text(encoding="utf-8")))


def citation_problems(text: str, known: set[str]) -> list[str]:
    """What is wrong with the evidence citations in ``text``: old-note citations, and
    anchors not in ``known``; empty if nothing."""
    out = [f"cites the old note: {m.group(0)!r}" for m in OLD_CITATION.finditer(text)]
    out += [f"cites docs/evidence.md#{a}, an anchor the page lacks"
            for a in CITATION.findall(text) if a not in known]
    return out
