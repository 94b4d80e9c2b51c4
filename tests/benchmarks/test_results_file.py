"""Recording results between the markers of docs/benchmarks.md: all or nothing."""

import pytest

from benchmarks.results_file import ResultsFileError, replace_blocks, write_blocks

DOCUMENT = """# Benchmarks

Prose that must stay.

<!-- results:pages-sqlite -->
old pages
<!-- /results:pages-sqlite -->

More prose.

<!-- results:hiboutik -->
old calls
<!-- /results:hiboutik -->
"""


def test_only_the_named_blocks_are_replaced():
    updated = replace_blocks(DOCUMENT, {"hiboutik": "| Calls |\n|---|\n| 4 |\n"})
    assert "old calls" not in updated
    assert "<!-- results:hiboutik -->\n| Calls |\n|---|\n| 4 |\n<!-- /results:hiboutik -->" in (
        updated
    )
    assert "old pages" in updated and "Prose that must stay." in updated
    # Replacing again gives the same document: markers survive a recording.
    assert replace_blocks(updated, {"hiboutik": "| Calls |\n|---|\n| 4 |"}) == updated


def test_content_that_looks_like_a_regex_replacement_is_kept_verbatim():
    updated = replace_blocks(DOCUMENT, {"hiboutik": r"ceil(n/250) \1 \g<0>"})
    assert r"ceil(n/250) \1 \g<0>" in updated


@pytest.mark.parametrize(
    "document",
    [
        DOCUMENT.replace("<!-- /results:hiboutik -->", ""),
        DOCUMENT + "<!-- results:hiboutik -->\nagain\n<!-- /results:hiboutik -->\n",
    ],
    ids=["missing end marker", "block twice"],
)
def test_a_missing_or_doubled_block_is_an_error_and_nothing_is_written(tmp_path, document):
    path = tmp_path / "benchmarks.md"
    path.write_text(document, encoding="utf-8")
    with pytest.raises(ResultsFileError, match="results:hiboutik"):
        write_blocks(path, {"pages-sqlite": "new pages", "hiboutik": "new calls"})
    assert path.read_text(encoding="utf-8") == document
    assert [p.name for p in tmp_path.iterdir()] == ["benchmarks.md"]  # no temporary file left


def test_write_blocks_keeps_the_file_mode(tmp_path):
    path = tmp_path / "benchmarks.md"
    path.write_text(DOCUMENT, encoding="utf-8")
    path.chmod(0o640)
    write_blocks(path, {"pages-sqlite": "new pages"})
    assert "new pages" in path.read_text(encoding="utf-8")
    assert path.stat().st_mode & 0o777 == 0o640
