"""The `assistant` and `ingest` packages import their public names on first use, and the same."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["assistant", "ingest"]

# Run in a fresh interpreter: what a process imports depends on what was imported before.
FRESH = """
import sys
import ingest.encoder
heavy = ["assistant.assistant", "langchain_core.retrievers", "ingest.index", "ingest.enrich"]
print(",".join(m for m in heavy if m in sys.modules))
import ingest.enrich  # the submodule first, by its path
from ingest import enrich
print(enrich is sys.modules["ingest.enrich"].enrich)
"""


def test_the_encoder_worker_imports_neither_the_assistant_nor_the_whole_ingest() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", FRESH], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["", "True"]  # nothing heavy loaded; `enrich` is still the function


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_is_the_object_of_its_module(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        home = importlib.import_module(module._HOMES[name])
        assert getattr(module, name) is getattr(home, name)
    assert set(module.__all__) <= set(dir(module))


@pytest.mark.parametrize("package", PACKAGES)
def test_type_checkers_see_the_same_names(package: str) -> None:
    tree = ast.parse((ROOT / package / "__init__.py").read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    seen = {
        alias.asname or alias.name
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert seen == set(importlib.import_module(package).__all__)
    # ... and no __getattr__, which would make them accept any name
    assert not any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in tree.body)


def test_submodules_and_unknown_names_are_found_as_before() -> None:
    from assistant import passage_vectors
    from ingest import encoder

    assert passage_vectors.__name__ == "assistant.passage_vectors"
    assert encoder.__name__ == "ingest.encoder"
    with pytest.raises(ImportError, match="cannot import name 'Assistent'"):
        from assistant import Assistent  # noqa: F401
