"""The front door stays small and its map stays true (issue 16).

* Every relative link and image in README.md and docs/*.md points to a file or folder that
  exists, and a link with an anchor (``page.md#section``) to a heading of that page (as
  GitHub spells it) or an ``<a id="...">`` in it.
* README.md is at most 11,000 bytes: the detail lives under docs/.
* docs/layout.md names every top-level folder and every module under sim/.

Links inside code (fenced blocks and inline spans) are not links, so they are not checked.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
README_MAX_BYTES = 11_000

#: ``[text](target)`` or ``![alt](target "title")``; the text may hold one level of
#: brackets (an image inside a link).
_INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
#: The same with plain text only, to find an image inside a link's text as well.
_SIMPLE_LINK = re.compile(r"!?\[[^\[\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
#: ``[label]: target`` reference definitions.
_REFERENCE_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
_HTML_ANCHOR = re.compile(r"""<a\s+(?:[^>]*\s)?(?:id|name)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_HTML_SRC_HREF = re.compile(r"""<(?:img|a)\s+[^>]*(?:src|href)\s*=\s*["']([^"']+)["']""",
                            re.IGNORECASE)
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def pages() -> list[Path]:
    """README.md and every Markdown page under docs/."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks, with inline code spans blanked out."""
    out: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        m = _FENCE.match(line)
        if m:
            if fence is None:
                fence = m.group(1)
            elif m.group(1) == fence:
                fence = None
            out.append("")
            continue
        out.append("" if fence else re.sub(r"`+[^`]*`+", "``", line))
    return out


def github_slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, markup and punctuation removed
    (hyphens and underscores kept), spaces to hyphens."""
    h = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    h = re.sub(r"<[^>]+>", "", h).replace("`", "").strip().lower()
    h = re.sub(r"[^\w\- ]", "", h)
    return h.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor a link can point to in a Markdown page: its headings' slugs (repeats
    numbered -1, -2, ... as GitHub does) and its ``<a id>``/``<a name>`` targets."""
    text = page.read_text(encoding="utf-8")
    found: set[str] = set(_HTML_ANCHOR.findall(text))
    seen: dict[str, int] = {}
    fence: str | None = None
    for line in text.splitlines():
        m = _FENCE.match(line)
        if m:
            fence = m.group(1) if fence is None else (None if m.group(1) == fence else fence)
            continue
        if fence is None:
            h = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
            if h:
                slug = github_slug(h.group(1))
                n = seen.get(slug, 0)
                seen[slug] = n + 1
                found.add(slug if n == 0 else f"{slug}-{n}")
    return found


def links(page: Path) -> list[tuple[int, str]]:
    """(line number, target) of every link and image of a page outside code."""
    out: list[tuple[int, str]] = []
    lines = prose_lines(page.read_text(encoding="utf-8"))
    for i, line in enumerate(lines, start=1):
        targets: list[str] = []
        for rx in (_INLINE_LINK, _SIMPLE_LINK, _HTML_SRC_HREF):
            targets += [t for t in rx.findall(line) if t not in targets]
        out.extend((i, t) for t in targets)
    for m in _REFERENCE_DEF.finditer("\n".join(lines)):
        out.append(("\n".join(lines)[: m.start()].count("\n") + 1, m.group(1)))
    return out


def broken_links(page: Path) -> list[str]:
    """Every relative link of ``page`` whose file, folder or anchor does not exist."""
    problems: list[str] = []
    for line, target in links(page):
        if _SCHEME.match(target) or target.startswith("//"):
            continue  # http(s), mailto: outside the repository
        path_part, _, anchor = target.partition("#")
        dest = page if not path_part else (page.parent / unquote(path_part)).resolve()
        where = f"{page.relative_to(ROOT)}:{line}: {target}"
        if not dest.exists():
            problems.append(f"{where}: no such file or folder")
        elif anchor and dest.suffix == ".md" and unquote(anchor) not in anchors(dest):
            problems.append(f"{where}: no heading or <a id> '{anchor}' in {dest.name}")
    return problems


def test_the_checker_sees_links_images_and_anchors_and_skips_code(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text('see [a](docs/a.md#x-y), ![f](img/f.png "t") and [![b](b.png)](c.md)\n'
                    "[ref]: r.md\n", encoding="utf-8")
    assert sorted(t for _, t in links(page)) == ["b.png", "c.md", "docs/a.md#x-y",
                                                 "img/f.png", "r.md"]
    assert prose_lines("a `[x](nowhere.md)` b\n```\n[y](nowhere.md)\n```\n[z](z.md)") == \
        ["a `` b", "", "", "", "[z](z.md)"]
    # GitHub's own anchors for headings of these pages
    assert github_slug("Fitting a council: `revolving-door-data fit`") == \
        "fitting-a-council-revolving-door-data-fit"
    assert github_slug("Writing a run's children as SSDA903") == \
        "writing-a-runs-children-as-ssda903"
    assert github_slug("2026-11-23, evening: split runs") == "2026-11-23-evening-split-runs"


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_to_something_that_exists(page: Path) -> None:
    problems = broken_links(page)
    assert not problems, "broken links:\n" + "\n".join(problems)


def test_readme_is_short() -> None:
    size = len((ROOT / "README.md").read_bytes())
    assert size <= README_MAX_BYTES, (
        f"README.md is {size:,} bytes, more than {README_MAX_BYTES:,}: move the detail to a "
        "page under docs/ and link it from README's map")


def _ignored(name: str) -> bool:
    """Whether a top-level name is left out of the repository by .gitignore."""
    patterns = [p.strip().rstrip("/") for p in (ROOT / ".gitignore").read_text().splitlines()
                if p.strip() and not p.startswith("#")]
    return any(fnmatch.fnmatch(name, p) for p in patterns)


def test_the_layout_page_names_every_folder_and_module() -> None:
    layout = (ROOT / "docs" / "layout.md").read_text(encoding="utf-8")
    folders = [p.name for p in ROOT.iterdir() if p.is_dir() and not _ignored(p.name)
               and (not p.name.startswith(".") or p.name == ".ci")]
    missing = [f"{f}/" for f in folders if f"{f}/" not in layout]
    # Module names repeat across packages (cli.py, sensitivity.py): each must be named as
    # often as it occurs. Subpackages by their folder name.
    modules = [p for p in (ROOT / "sim").rglob("*.py") if "__pycache__" not in p.parts
               and not (p.name == "__init__.py" and p.parent != ROOT / "sim")]
    for name in sorted({p.name for p in modules}):
        want = sum(p.name == name for p in modules)
        have = len(re.findall(rf"(?<![\w/.]){re.escape(name)}(?!\w)", layout))
        if have < want:
            missing.append(f"{name} (in {want} packages, named {have} times)")
    subpackages = [p.parent.name for p in (ROOT / "sim").rglob("__init__.py")
                   if p.parent != ROOT / "sim" and "__pycache__" not in p.parts]
    missing += [f"sim/{s}/" for s in subpackages if f"{s}/" not in layout]
    assert not missing, "docs/layout.md does not name: " + ", ".join(missing)
