"""Draw the course's diagrams into assets/ with matplotlib: the unrolled RNN (notebook 03) and the
GRU cell (notebook 07), in the notebooks' own notation.

    python scripts/draw_diagrams.py          # write assets/unrolled_rnn.svg and assets/gru_cell.svg
    python scripts/draw_diagrams.py --check  # exit 1 if a file differs from what this draws now

The bytes are the same on every run (fixed svg.hashsalt, no date). Text stays text
(svg.fonttype "none"): the labels can be selected and searched, the files stay small, and a
test can read the symbols; the price is that the viewer's font draws them (DejaVu Sans, else
its sans-serif), which at these sizes changes nothing a reader needs.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch  # noqa: E402
from matplotlib.patheffects import withStroke  # noqa: E402

ASSETS = Path(__file__).resolve().parents[1] / "assets"
STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "rnn-edu",
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "font.size": 10,
}
# one colour per parameter, the same at every step: that is what parameter sharing looks like
BLUE, RED, GREEN, GREY, ORANGE, PURPLE = "#1f5fa8", "#c0392b", "#2e8b3d", "#555555", "#e67e00", "#7b3fa0"
INK = "#222222"


def canvas(width, height):
    """A figure of width x height inches whose data units are tenths of an inch (equal aspect)."""
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10 * width)
    ax.set_ylim(0, 10 * height)
    ax.set_axis_off()
    return fig, ax


def box(ax, x, y, w, h, text, color, size=10, fill="#f7f7f7"):
    """A rounded box centred at (x, y) with its text."""
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=1",
                                fc=fill, ec=color, lw=1.6, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=size, color=INK, zorder=4, linespacing=1.5)


def node(ax, x, y, text, r=1.8, color=INK, size=11):
    """A small circle for an elementwise operation (⊙, +, 1-)."""
    ax.add_patch(Circle((x, y), r, fc="white", ec=color, lw=1.4, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=size, color=INK, zorder=4)


def line(ax, points, color=GREY, lw=1.4, head=True, over=False):
    """A polyline through points (x, y), with an arrowhead at the last one. `over`: drawn with a
    white halo, so it crosses the lines under it visibly."""
    halo = [withStroke(linewidth=lw + 5, foreground="white")] if over else None
    z = 2.5 if over else 2
    xs, ys = zip(*points, strict=True)
    if len(points) > 2:
        ax.plot(xs[:-1], ys[:-1], color=color, lw=lw, solid_capstyle="butt", zorder=z,
                path_effects=halo)
    if head:
        ax.add_patch(FancyArrowPatch(points[-2], points[-1], arrowstyle="-|>,head_length=5,head_width=3",
                                     color=color, lw=lw, shrinkA=0, shrinkB=0, zorder=z,
                                     path_effects=halo))
    else:
        ax.plot(xs[-2:], ys[-2:], color=color, lw=lw, zorder=z, path_effects=halo)


def label(ax, x, y, text, color=INK, size=10, **kw):
    ax.text(x, y, text, color=color, fontsize=size, zorder=5, **kw)


def draw_unrolled():
    """Notebook 03's vanilla RNN, folded and unrolled over t = 1, 2, 3 (row vectors)."""
    fig, ax = canvas(9.2, 4.9)
    cy, xy_, yy = 26, 13.5, 39.5  # heights of the cells, the inputs x_t and the outputs y_t
    bw, bh = 10, 7.5

    def cell(x, t):
        box(ax, x, cy, bw, bh, f"$h_{{{t}}}$\n" + r"$\tanh(\cdot + b_h)$", RED, size=11)
        label(ax, x, xy_ - 1.2, f"$x_{{{t}}}$", size=12, ha="center", va="top")
        line(ax, [(x, xy_), (x, cy - bh / 2)], BLUE, lw=1.8)
        label(ax, x + 0.8, (xy_ + cy - bh / 2) / 2, r"$W_{xh}$", BLUE, ha="left", va="center")
        line(ax, [(x, cy + bh / 2), (x, yy)], GREEN, lw=1.8)
        label(ax, x + 0.8, (yy + cy + bh / 2) / 2, r"$W_{hy}, b_y$", GREEN, ha="left", va="center")
        label(ax, x, yy + 1.0, f"$y_{{{t}}}$", size=12, ha="center", va="bottom")

    # folded: one cell whose state comes back to it one step later, through W_hh
    fx = 10
    label(ax, fx + 2, 46.5, "folded", size=11, ha="center", va="center", style="italic")
    cell(fx, "t")
    ax.add_patch(FancyArrowPatch((fx + bw / 2, cy + 1.8), (fx + bw / 2, cy - 1.8),
                                 connectionstyle="arc3,rad=-2.2", arrowstyle="-|>,head_length=5,head_width=3",
                                 color=RED, lw=1.8, shrinkA=0, shrinkB=0, zorder=2))
    label(ax, fx + bw / 2 + 4.5, cy, r"$W_{hh}$", RED, ha="left", va="center")
    label(ax, fx + bw / 2 + 4.5, cy - 2.6, "(next step)", GREY, size=8, ha="left", va="center")

    # the unroll arrow
    ax.add_patch(FancyArrowPatch((23.5, cy), (29.5, cy), color="#bbbbbb", lw=0, zorder=1,
                                 arrowstyle="simple,head_length=8,head_width=8,tail_width=3"))
    label(ax, 26.5, cy + 2.4, "unroll", GREY, size=9, ha="center", va="bottom")

    # unrolled over t = 1, 2, 3: the same weights at every step
    xs = [47, 64, 81]
    label(ax, 63, 46.5, "unrolled over t = 1, 2, 3: the same five parameters at every step",
          size=11, ha="center", va="center", style="italic")
    label(ax, 34, cy, "$h_0$", size=12, ha="center", va="center")
    label(ax, 34, cy - 3.2, "(zeros unless given)", GREY, size=7.5, ha="center", va="center")
    starts = [36] + [x + bw / 2 for x in xs[:-1]]
    for t, (x, start) in enumerate(zip(xs, starts, strict=True), 1):
        cell(x, t)
        line(ax, [(start, cy), (x - bw / 2, cy)], RED, lw=1.8)
        label(ax, (start + x - bw / 2) / 2, cy + 0.8, r"$W_{hh}$", RED, ha="center", va="bottom")
    line(ax, [(xs[-1] + bw / 2, cy), (xs[-1] + bw / 2 + 3.5, cy)], RED, lw=1.8, head=False)
    label(ax, xs[-1] + bw / 2 + 4, cy, r"$\cdots$", RED, size=12, ha="left", va="center")

    # the equations, as notebook 03 writes them
    label(ax, 46, 6.2, r"$h_t = \tanh(x_t W_{xh} + h_{t-1} W_{hh} + b_h), \qquad y_t = h_t W_{hy} + b_y$",
          size=11.5, ha="center", va="center")
    label(ax, 46, 1.6, "Row vectors: an arrow labelled W multiplies what it carries by W from the right.\n"
          r"A box adds what its arrows bring and $b_h$, then applies tanh. One colour per parameter.",
          GREY, size=8.5, ha="center", va="center", linespacing=1.4)
    return fig


def draw_gru():
    """Notebook 07's GRU cell in Keras' layout (blocks z, r, h; reset_after=True)."""
    fig, ax = canvas(9.2, 6.2)
    top, zl = 54, 46  # the h_{t-1} -> h_t line and the z_t line
    ax_, bx = 66, 81  # the ⊙ and + nodes on the top line
    # the diagonal path: h_{t-1} -> z_t ⊙ h_{t-1} -> h_t, no weight matrix, no tanh
    for a, b in ((6, ax_ - 1.8), (ax_ + 1.8, bx - 1.8)):
        ax.plot([a, b], [top, top], color=ORANGE, lw=4, solid_capstyle="butt", zorder=2.8)
    line(ax, [(bx + 1.8, top), (88, top)], ORANGE, lw=4)
    label(ax, 4.5, top, "$h_{t-1}$", size=13, ha="right", va="center")
    label(ax, 89, top, "$h_t$", size=13, ha="left", va="center")
    label(ax, 30, top + 1.6, "the diagonal path: no weight matrix, no tanh", ORANGE, size=10,
          ha="center", va="bottom", weight="bold")
    label(ax, ax_, top + 2.4, r"$z_t \odot h_{t-1}$", ORANGE, size=10, ha="center", va="bottom")
    node(ax, ax_, top, r"$\odot$")
    node(ax, bx, top, "$+$")

    # the two gates: sigma of an input part and a recurrent part, each with its own bias
    gy, gw, gh = 29, 19, 10
    gates = ((14, "update gate", "z", GREEN), (37, "reset gate", "r", PURPLE))
    for x, name, g, color in gates:
        box(ax, x, gy, gw, gh, f"{name} ${g}_t$\n" + rf"$\sigma(x_t K_{g} + b_{g}$" + "\n"
            + rf"$+\ h_{{t-1}} R_{g} + b′_{g})$", color, size=9.5)
    # h_{t-1} into both gates (from above), x_t into both (from below)
    line(ax, [(8, top), (8, gy + gh / 2)], GREY)
    line(ax, [(33, top), (33, gy + gh / 2)], GREY)
    xb = 8  # the x_t bus
    label(ax, 2, xb, "$x_t$", size=13, ha="center", va="center")
    line(ax, [(4, xb), (55, xb)], GREY, head=False)
    line(ax, [(14, xb), (14, gy - gh / 2)], GREY)
    line(ax, [(37, xb), (37, gy - gh / 2)], GREY)

    # z_t: to the ⊙ with h_{t-1}, and as 1 - z_t to the ⊙ with n_t
    jx = ax_
    line(ax, [(20, gy + gh / 2), (20, zl), (jx, zl)], GREEN, lw=1.8, head=False, over=True)
    ax.plot([jx], [zl], "o", color=GREEN, ms=4, zorder=3)
    line(ax, [(jx, zl), (jx, top - 1.8)], GREEN, lw=1.8)
    label(ax, 21, zl + 0.6, "$z_t$", GREEN, size=11, ha="left", va="bottom")
    node(ax, 73.5, zl, "$1-$", color=GREEN, size=8.5)
    line(ax, [(jx, zl), (73.5 - 1.8, zl)], GREEN, lw=1.8)
    line(ax, [(73.5 + 1.8, zl), (bx - 1.8, zl)], GREEN, lw=1.8)
    node(ax, bx, zl, r"$\odot$")
    line(ax, [(bx, zl + 1.8), (bx, top - 1.8)], INK)

    # the candidate n_t: the reset gate scales h_{t-1} R_h + b'_h, after the product (reset_after)
    cx = 55
    box(ax, cx, 37, 16, 5, r"$h_{t-1} R_h + b′_h$", BLUE, size=9.5)
    line(ax, [(cx, top), (cx, 37 + 2.5)], GREY, over=True)
    node(ax, cx, 29, r"$\odot$")
    line(ax, [(cx, 37 - 2.5), (cx, 29 + 1.8)], BLUE)
    line(ax, [(37 + gw / 2, gy), (cx - 1.8, 29)], PURPLE, lw=1.8)
    label(ax, 48, gy + 0.6, "$r_t$", PURPLE, size=11, ha="center", va="bottom")
    label(ax, cx + 2.4, 31.4, "reset after\nthe product", GREY, size=7.5, ha="left", va="bottom")
    node(ax, cx, 21, "$+$")
    line(ax, [(cx, 29 - 1.8), (cx, 21 + 1.8)], INK)
    box(ax, cx, 14, 14, 4.6, r"$x_t K_h + b_h$", BLUE, size=9.5)
    line(ax, [(cx, xb), (cx, 14 - 2.3)], GREY)
    line(ax, [(cx, 14 + 2.3), (cx, 21 - 1.8)], BLUE)
    box(ax, 69, 21, 8, 5, "tanh", BLUE, size=9.5)
    line(ax, [(cx + 1.8, 21), (69 - 4, 21)], INK)
    line(ax, [(73, 21), (bx, 21), (bx, zl - 1.8)], BLUE, lw=1.8)
    label(ax, bx + 0.8, 31, "candidate", BLUE, size=10, ha="left", va="center")
    label(ax, bx + 0.8, 28, "$n_t$", BLUE, size=11, ha="left", va="center")

    # the output equation and the names of the weight blocks
    label(ax, 46, 2.2, r"$h_t = z_t \odot h_{t-1} + (1 - z_t) \odot n_t$", size=12, ha="center", va="center")
    legend = ["Keras GRU, reset_after=True", r"$W_{xh} = [K_z \mid K_r \mid K_h]$: kernel",
              r"$W_{hh} = [R_z \mid R_r \mid R_h]$: recurrent_kernel", r"$\odot$: elementwise product"]
    for i, text in enumerate(legend):
        label(ax, 66, 13 - 2.6 * i, text, GREY, size=8.5, ha="left", va="center")
    return fig


DIAGRAMS = {"unrolled_rnn.svg": draw_unrolled, "gru_cell.svg": draw_gru}


def render(draw) -> bytes:
    """The SVG bytes of one diagram, the same on every run of the same matplotlib."""
    with plt.rc_context(STYLE):
        fig = draw()
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        plt.close(fig)
    return buf.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if a file differs from what is drawn now")
    args = parser.parse_args(argv)
    stale = []
    for name, draw in DIAGRAMS.items():
        svg, target = render(draw), ASSETS / name
        if args.check:
            if not target.is_file() or target.read_bytes() != svg:
                stale.append(name)
        else:
            ASSETS.mkdir(exist_ok=True)
            target.write_bytes(svg)
            print(f"{target.relative_to(ASSETS.parent)}: {len(svg) / 1000:.1f} kB")
    if stale:
        print(f"out of date (run python scripts/draw_diagrams.py): {', '.join(stale)}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
