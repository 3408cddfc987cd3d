"""The diagrams in assets/ are what scripts/draw_diagrams.py draws, and show the notebooks' symbols."""

import importlib.util
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import nbformat
import pytest
from IPython.display import SVG as SVGDisplay

ROOT = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("draw_diagrams", ROOT / "scripts" / "draw_diagrams.py")
draw_diagrams = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(draw_diagrams)

# What each diagram must name, as its text reads without spaces and with subscripts inline
# ("$W_{xh}$" is "Wxh"): the notebooks' symbols and equations.
SYMBOLS = {
    "unrolled_rnn.svg": ["Wxh", "Whh", "Why", "bh", "by", "h0", "h1", "h2", "h3", "x1", "x3", "y1", "y3",
                         "tanh", "folded", "unrolled", "ht=tanh(xtWxh+ht−1Whh+bh)"],
    "gru_cell.svg": ["zt", "rt", "nt", "ht−1", "ht", "xt", "xtKz+bz", "ht−1Rz+b′z", "xtKr+br", "ht−1Rr+b′r",
                     "xtKh+bh", "ht−1Rh+b′h",
                     "⊙", "σ", "tanh", "1−", "diagonalpath", "reset_after=True", "ht=zt⊙ht−1+(1−zt)⊙nt"],
}
SVG = "{http://www.w3.org/2000/svg}"


def texts(name):
    """The text of every <text> element of an asset, spaces dropped. Mathtext writes one <tspan>
    per glyph, grouped by font, so the glyphs are put back in reading order (left to right)."""
    root = ET.parse(ROOT / "assets" / name).getroot()
    assert root.tag == SVG + "svg"
    found = []
    for el in root.iter(SVG + "text"):
        spans = sorted(el.iter(SVG + "tspan"), key=lambda t: (float(t.get("x")), float(t.get("y"))))
        found.append("".join(t.text or "" for t in spans) if spans else el.text or "")
    return [re.sub(r"\s+", "", t) for t in found]


def drawn_with():
    """The matplotlib version the committed SVGs record (their Creator metadata)."""
    head = (ROOT / "assets" / "unrolled_rnn.svg").read_text()[:2000]
    return re.search(r"Matplotlib v([\w.]+)", head).group(1)


def test_the_script_draws_both_diagrams():
    assert set(draw_diagrams.DIAGRAMS) == set(SYMBOLS)
    assert all((ROOT / "assets" / name).is_file() for name in SYMBOLS)


def test_committed_svgs_are_what_the_script_draws():
    if matplotlib.__version__ != drawn_with():  # another matplotlib writes other bytes (Colab's)
        pytest.skip(f"drawn with matplotlib {drawn_with()}, this is {matplotlib.__version__}")
    assert draw_diagrams.main(["--check"]) == 0


def test_check_notices_a_changed_file(tmp_path, monkeypatch):
    monkeypatch.setattr(draw_diagrams, "ASSETS", tmp_path)
    assert draw_diagrams.main([]) == 0
    first = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert draw_diagrams.main([]) == 0  # the same bytes on a second run
    assert first == {p.name: p.read_bytes() for p in tmp_path.iterdir()} and len(first) == 2
    assert draw_diagrams.main(["--check"]) == 0
    (tmp_path / "gru_cell.svg").write_bytes(first["gru_cell.svg"].replace(b"reset_after", b"reset_before"))
    assert draw_diagrams.main(["--check"]) == 1
    (tmp_path / "unrolled_rnn.svg").unlink()
    assert draw_diagrams.main(["--check"]) == 1


@pytest.mark.parametrize("name", sorted(SYMBOLS))
def test_svg_parses_and_names_its_symbols(name):
    found = texts(name)
    assert len(found) > 10
    missing = [s for s in SYMBOLS[name] if not any(s in t for t in found)]
    assert not missing, f"{name} does not show {missing}"


@pytest.mark.parametrize("name", sorted(SYMBOLS))
def test_svg_is_small_and_keeps_text_as_text(name):
    data = (ROOT / "assets" / name).read_bytes()
    assert len(data) < 60_000
    assert b"<text" in data and b'id="DejaVu' not in data  # no glyph outlines embedded
    # only DejaVu Sans: a glyph mathtext takes from its Computer Modern fallback (cmsy10 for "'")
    # is drawn by a browser in its own font, as another character ("b'" became "b0")
    assert set(re.findall(rb"font-family: '([^']+)'", data)) == {b"DejaVu Sans"}


@pytest.mark.parametrize(("notebook", "name"), [("03_vanilla_rnn.ipynb", "unrolled_rnn.svg"),
                                                ("07_gru.ipynb", "gru_cell.svg")])
def test_notebook_stores_the_current_diagram(notebook, name):
    # nbval does not compare SVG outputs: a redrawn diagram needs the notebook re-executed
    cells = [c for c in nbformat.read(ROOT / "notebooks" / notebook, as_version=4).cells
             if c.cell_type == "code" and f'assets.show("{name}")' in c.source]
    assert len(cells) == 1
    stored = [o.data["image/svg+xml"] for o in cells[0].outputs if "image/svg+xml" in o.get("data", {})]
    drawn = SVGDisplay(filename=str(ROOT / "assets" / name)).data  # what assets.show displays
    assert len(stored) == 1 and stored[0] == drawn
