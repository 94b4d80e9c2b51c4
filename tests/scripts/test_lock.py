"""The lock files every install uses: complete, pinned with hashes, current with pyproject.toml."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from scripts import lock

PROJECT = Path(__file__).resolve().parents[2]
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    return {normalise(name): version for name, version in REQUIREMENT.findall(path.read_text())}


def declared(requirements: list[str]) -> set[str]:
    return {normalise(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", item)[0]) for item in requirements}


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((PROJECT / "pyproject.toml").read_text())


def test_the_locks_were_made_from_the_current_pyproject():
    result = subprocess.run(
        [sys.executable, "scripts/lock.py", "--check"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr


def test_a_changed_requirement_makes_the_locks_stale(tmp_path):
    original = (PROJECT / "pyproject.toml").read_text()
    changed = tmp_path / "pyproject.toml"
    changed.write_text(original.replace('"requests>=2.32,<3",', '"requests>=2.33,<3",'))
    assert changed.read_text() != original
    assert lock.requirements_digest(changed) != lock.requirements_digest()


@pytest.mark.parametrize("name", ["runtime.txt", "dev.txt"])
def test_every_locked_package_is_pinned_with_hashes(name):
    text = (PROJECT / "requirements" / name).read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 3)[3])
    assert len(blocks) > 20
    for block in blocks:
        assert REQUIREMENT.match(block), block[:80]
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), block[:80]


def test_the_locks_hold_every_declared_requirement(pyproject):
    runtime, dev = (
        pins(PROJECT / "requirements" / "runtime.txt"),
        pins(PROJECT / "requirements" / "dev.txt"),
    )
    project = pyproject["project"]
    assert declared(project["dependencies"]) <= set(runtime)
    assert declared(pyproject["build-system"]["requires"]) <= set(runtime)
    assert declared(project["optional-dependencies"]["dev"]) <= set(dev)
    # The runtime lock is the dev lock without the development tools, at the same versions.
    assert {name: dev[name] for name in runtime} == runtime
    assert not declared(["pytest", "ruff", "playwright"]) & set(runtime)


def test_make_ci_and_the_image_install_from_the_locks_only():
    makefile = (PROJECT / "Makefile").read_text()
    for lock_file in ("requirements/runtime.txt", "requirements/dev.txt"):
        assert f"--require-hashes --no-deps -r {lock_file}" in makefile
    assert "--no-deps --no-build-isolation -e ." in makefile
    assert not re.search(r"pip install[^\n]*-e '?\.\[", makefile)  # no resolving install
    assert "scripts/lock.py --check" in makefile
    assert "make install-dev" in (PROJECT / ".ci" / "run").read_text()
    assert "requirements/runtime.txt" in (PROJECT / "Dockerfile").read_text()


def test_uv_is_found_in_the_dev_lock_for_make_lock():
    block = lock.locked_block((PROJECT / "requirements" / "dev.txt").read_text(), "uv")
    assert block.startswith("uv==")
    assert "--hash=sha256:" in block
