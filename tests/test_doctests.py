"""The runnable examples in the package's docstrings are run (like pyoxigraph's python/tests/test_doc.py)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import kg

MODULES = sorted(info.name for info in pkgutil.walk_packages(kg.__path__, prefix="kg.") if info.name != "kg.__main__")


def _tests(name: str) -> list[doctest.DocTest]:
    return [test for test in doctest.DocTestFinder().find(importlib.import_module(name)) if test.examples]


def test_the_package_has_doctests_in_several_modules():
    with_examples = [name for name in MODULES if _tests(name)]
    assert {"kg.iri", "kg.queries", "kg.atomic", "kg.ingest.records"} <= set(with_examples), with_examples


@pytest.mark.parametrize("name", [name for name in MODULES if _tests(name)])
def test_docstring_examples_run(name: str):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in _tests(name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted and not result.failed, f"{name}: {result.failed} of {result.attempted} examples failed"
