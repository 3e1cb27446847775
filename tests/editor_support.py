"""Driving the query page (YASQE editor, YASR table) from Playwright: shared by the browser tests."""

from __future__ import annotations

import re

__all__ = ["editor_text", "set_editor", "wait_for_results", "result_rows", "result_cells", "CHROMIUM_FLAGS"]

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]

_DONE = re.compile(r"^(\d+ results? in \d+ ms|done in \d+ ms|\d{3}: )")


def editor_text(page) -> str:
    return page.evaluate("document.querySelector('#editor .CodeMirror').CodeMirror.getValue()")


def set_editor(page, text: str) -> None:
    page.evaluate("text => document.querySelector('#editor .CodeMirror').CodeMirror.setValue(text)", text)


def wait_for_results(page) -> str:
    """The status line once the query on screen has answered (count and time, or the error)."""
    page.wait_for_function("re => new RegExp(re).test(document.getElementById('status').textContent)",
                           arg=_DONE.pattern)
    return page.locator("#status").inner_text()


def result_rows(page):
    """The table rows YASR shows on the current page of results."""
    return page.locator("#results table.dataTable tbody tr")


def result_cells(page, column: int) -> list[str]:
    """The texts of column `column` (0: the row number YASR adds) on the current page."""
    return result_rows(page).locator(f"td:nth-child({column + 1})").all_inner_texts()
