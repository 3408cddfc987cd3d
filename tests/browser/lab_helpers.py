"""Steps a person takes in JupyterLab, for the browser tests."""

from __future__ import annotations

import time


def wait_idle(page, timeout: float = 240.0, settle: float = 1.5) -> None:
    """Wait until the kernel is idle and no cell is running (no ``[*]`` prompt), for ``settle`` s."""
    deadline = time.monotonic() + timeout
    calm_since = None
    while time.monotonic() < deadline:
        status = page.locator(".jp-StatusBar-Widget").all_inner_texts()
        idle = any("Idle" in s for s in status)
        running = page.locator(".jp-InputArea-prompt", has_text="[*]").count()
        if idle and not running:
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since >= settle:
                return
        else:
            calm_since = None
        page.wait_for_timeout(250)
    raise TimeoutError(f"the kernel was not idle within {timeout:.0f} s; status bar: {status}")


def open_and_run_all(page, lab, notebook: str) -> None:
    """Open ``notebook`` in JupyterLab, wait for its kernel, run all cells, wait until done."""
    page.goto(lab.url(notebook))
    page.locator(".jp-Notebook").first.wait_for()
    wait_idle(page)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_timeout(1000)
    wait_idle(page)
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
    assert not tracebacks, f"{notebook} raised in the browser: {tracebacks[0][:2000]}"


def explorer(page, css_class: str):
    """The rendered explorer widget with that CSS class (see ``Explorer.box.add_class``)."""
    box = page.locator(f".{css_class}").first
    box.wait_for(state="visible", timeout=60_000)
    box.scroll_into_view_if_needed()
    return box


def image_src(box) -> str:
    """The ``src`` of the explorer's picture: a new blob URL after every redraw."""
    img = box.locator("img").first
    img.wait_for(state="visible")
    return img.get_attribute("src")


def wait_for_text(box, *needles: str, timeout: float = 60.0) -> str:
    """Wait until the text of ``box`` holds every one of ``needles``; return that text.

    An explorer's picture and its text are separate outputs that arrive one after the other,
    so a box that is visible may not show its text yet.
    """
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = box.inner_text()
        if all(n in text for n in needles):
            return text
        time.sleep(0.25)
    raise AssertionError(f"the widget never showed {needles!r} within {timeout:.0f} s; it showed "
                         f"{text[:500]!r}")


def nudge_slider(box, index: int = 0, pixels: int = 60, tries: int = 3) -> None:
    """Drag the handle of the ``index``-th slider of ``box`` by ``pixels`` to the right.

    The handle's ``aria-valuenow`` must change, unless it already sits at the end it is dragged
    towards. On a loaded machine the page can still be laying out when the handle is measured,
    and the drag then misses it: the drag is tried again, and a slider that never moves fails.
    """
    handle = box.locator(".noUi-handle").nth(index)
    def value(name="aria-valuenow"):
        return float(handle.get_attribute(name))

    end = value("aria-valuemin" if pixels < 0 else "aria-valuemax")
    before = value()
    for _ in range(tries):
        if before == end:
            return
        handle.scroll_into_view_if_needed()
        bb = handle.bounding_box()
        page = box.page
        x, y = bb["x"] + bb["width"] / 2, bb["y"] + bb["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + pixels / 2, y, steps=5)
        page.mouse.move(x + pixels, y, steps=5)
        page.mouse.up()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if value() != before:
                return
            time.sleep(0.1)
    raise AssertionError(f"slider {index} did not move in {tries} drags of {pixels} pixels "
                         f"(value {before})")


def type_text(box, text: str) -> None:
    """Type ``text`` into the first text box of ``box`` and press Enter, as a learner would."""
    field = box.locator("input[type=text]").first
    field.fill(text)
    field.press("Enter")


def wait_for_change(get, before, timeout: float = 30.0, what: str = "the widget output"):
    """Poll ``get()`` until it differs from ``before``; return the new value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = get()
        if now != before:
            return now
        time.sleep(0.25)
    raise AssertionError(f"{what} did not change within {timeout:.0f} s")
