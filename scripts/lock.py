"""The lock files: every package Connect installs, pinned with its hashes.

    python scripts/lock.py           # (re)write requirements/dev.txt and requirements/runtime.txt
    python scripts/lock.py --check   # fail if pyproject.toml's requirements changed since then
    python scripts/lock.py --upgrade-package django   # extra arguments go to `uv pip compile`

`make install`, `make install-dev`, the Dockerfile and CI install from these files only, with
`pip --require-hashes`: a build gets exactly the reviewed packages or fails. The resolution is
universal (any platform, Python 3.11 and newer) and keeps the versions already locked unless
asked otherwise, so running it again after a rebase changes only what pyproject.toml changed.
Each file records a digest of the requirements it was made from; `--check` compares it.

uv does the resolving (seconds, not minutes); it is itself pinned in requirements/dev.txt and
installed from there, with its hashes, when the virtualenv lacks it.
"""

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PYPROJECT = PROJECT / "pyproject.toml"
RUNTIME = PROJECT / "requirements" / "runtime.txt"
DEV = PROJECT / "requirements" / "dev.txt"
DIGEST_PREFIX = "# pyproject.toml requirements sha256: "
PYTHON = "3.11"


def requirements_digest(pyproject: Path = PYPROJECT) -> str:
    """What the locks depend on in pyproject.toml: build, runtime and optional requirements."""
    data = tomllib.loads(pyproject.read_text())
    wanted = {
        "build": data["build-system"]["requires"],
        "dependencies": data["project"]["dependencies"],
        "optional": data["project"].get("optional-dependencies", {}),
        "python": data["project"]["requires-python"],
    }
    return hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()


def recorded_digest(lock: Path) -> str | None:
    if not lock.exists():
        return None
    for line in lock.read_text().splitlines():
        if line.startswith(DIGEST_PREFIX):
            return line.removeprefix(DIGEST_PREFIX).strip()
    return None


def stale_locks() -> list[str]:
    digest = requirements_digest()
    return [
        str(lock.relative_to(PROJECT)) for lock in (RUNTIME, DEV) if recorded_digest(lock) != digest
    ]


def uv() -> str:
    """The virtualenv's uv, installed from its pinned, hashed lines in the dev lock if missing."""
    path = Path(sys.executable).parent / "uv"
    if path.exists():
        return str(path)
    block = locked_block(DEV.read_text(), "uv")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write(block)
    try:
        subprocess.run(  # noqa: S603 - this interpreter's pip on a file written just above
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--require-hashes", "--no-deps", "-r", handle.name],
            check=True,
        )  # fmt: skip
    finally:
        os.unlink(handle.name)
    return str(path)


def locked_block(text: str, name: str) -> str:
    """The lines of one package (`name==version \\` and its `--hash` lines) in a lock file."""
    lines, inside = [], False
    for line in text.splitlines():
        if not line.startswith((" ", "#")) and line.strip():
            inside = line.split("==")[0].strip().lower() == name
        if inside and not line.lstrip().startswith("#"):
            lines.append(line)
    if not lines:
        raise SystemExit(f"{name} is not in {DEV.relative_to(PROJECT)}")
    return "\n".join(lines) + "\n"


def compile_lock(output: Path, extra: list[str], uv_arguments: list[str]) -> None:
    build = "\n".join(tomllib.loads(PYPROJECT.read_text())["build-system"]["requires"]) + "\n"
    command = [
        uv(), "pip", "compile", "--quiet", "--universal", "--python-version", PYTHON,
        "--generate-hashes", "--custom-compile-command", "make lock",
        "pyproject.toml", "-", *extra, "-o", str(output.relative_to(PROJECT)), *uv_arguments,
    ]  # fmt: skip
    # The build requirements (setuptools, for the editable install) come in on stdin.
    subprocess.run(command, input=build, text=True, check=True, cwd=PROJECT)  # noqa: S603
    lines = output.read_text().splitlines(keepends=True)
    header = 0
    while header < len(lines) and lines[header].startswith("#"):
        header += 1
    lines.insert(header, f"{DIGEST_PREFIX}{requirements_digest()}\n")
    output.write_text("".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the locks are current")
    options, uv_arguments = parser.parse_known_args(argv)
    if options.check:
        stale = stale_locks()
        if stale:
            print(
                f"{', '.join(stale)}: pyproject.toml's requirements changed since the lock was "
                "made; run `make lock` and commit requirements/.",
                file=sys.stderr,
            )
            return 1
        return 0
    DEV.parent.mkdir(exist_ok=True)
    # The dev lock first; the runtime lock is the same versions, without the dev tools.
    compile_lock(DEV, ["--extra", "dev"], uv_arguments)
    compile_lock(RUNTIME, ["--constraint", str(DEV.relative_to(PROJECT))], uv_arguments)
    return 0


if __name__ == "__main__":
    sys.exit(main())
