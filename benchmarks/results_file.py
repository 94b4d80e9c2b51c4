"""Writing recorded results into ``docs/benchmarks.md`` without touching its prose.

The document marks where each result goes with a pair of comments::

    <!-- results:services-sqlite -->
    ...replaced on every recording...
    <!-- /results:services-sqlite -->

Every block is checked before anything is written, and the file is replaced in one rename, so
a missing marker or a crash leaves the document exactly as it was.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path


class ResultsFileError(Exception):
    pass


def start_marker(key: str) -> str:
    return f"<!-- results:{key} -->"


def end_marker(key: str) -> str:
    return f"<!-- /results:{key} -->"


def replace_blocks(text: str, blocks: Mapping[str, str]) -> str:
    """``text`` with the content between each key's markers replaced by ``blocks[key]``."""
    problems = []
    for key, content in blocks.items():
        pattern = re.compile(
            re.escape(start_marker(key)) + r"\n.*?" + re.escape(end_marker(key)), re.S
        )
        found = pattern.findall(text)
        if len(found) != 1:
            problems.append(
                f"{start_marker(key)} … {end_marker(key)} found {len(found)} times, expected once"
            )
            continue
        replacement = f"{start_marker(key)}\n{content.strip()}\n{end_marker(key)}"
        text = pattern.sub(lambda _match, r=replacement: r, text)
    if problems:
        raise ResultsFileError("; ".join(problems))
    return text


def write_blocks(path: Path, blocks: Mapping[str, str]) -> None:
    try:
        original = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ResultsFileError(f"cannot read {path}: {error}") from None
    try:
        updated = replace_blocks(original, blocks)
    except ResultsFileError as error:
        raise ResultsFileError(f"{path}: {error}") from None
    # Write beside the file then rename: readers never see a half-written document.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(updated)
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
