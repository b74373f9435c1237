"""constraints.txt pins exactly what leerstad[dev] installs: nothing missing, nothing stale."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
# Installed with the venv itself, left out by `pip freeze` too; not pinned.
BOOTSTRAP = {"pip", "setuptools", "wheel"}


def pins() -> dict[str, str]:
    """constraints.txt as {canonical name: version}."""
    found = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned with =="
            found[canonicalize_name(name)] = version
    return found


def installed() -> dict[str, metadata.Distribution]:
    found: dict[str, metadata.Distribution] = {}
    for dist in metadata.distributions():
        found.setdefault(canonicalize_name(dist.metadata["Name"]), dist)
    return found


def needed(dists: dict[str, metadata.Distribution]) -> tuple[set[str], set[str]]:
    """(installed distributions leerstad[dev] needs, needed ones that are not installed)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    todo = [
        Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]
    ]
    seen: set[tuple[str, frozenset[str]]] = set()
    missing: set[str] = set()
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        if name not in dists:
            missing.add(str(requirement))
            continue
        extras = requirement.extras or {""}
        for text in dists[name].requires or []:
            sub = Requirement(text)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in extras):
                todo.append(sub)
    return {name for name, _ in seen} - missing, missing


def test_every_pin_is_installed_at_its_version() -> None:
    dists = installed()
    wrong = {
        name: (version, dists[name].version if name in dists else "not installed")
        for name, version in pins().items()
        if name not in dists or dists[name].version != version
    }
    assert wrong == {}, "pinned (version, installed): fix constraints.txt or reinstall"


def test_everything_leerstad_needs_is_installed_and_pinned() -> None:
    required, missing = needed(installed())
    assert missing == set(), "required by leerstad[dev] but not installed"
    unpinned = sorted(required - set(pins()) - BOOTSTRAP)
    assert unpinned == [], "installed for leerstad[dev] but not pinned in constraints.txt"
    unused = sorted(set(pins()) - required)
    assert unused == [], "pinned in constraints.txt but not needed by leerstad[dev]"
