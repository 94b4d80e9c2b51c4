"""The benchmark script, run as people run it, at its smallest sizes: it must keep working and
keep producing numbers that mean something. (The numbers themselves are recorded in
docs/benchmarks.md by a full run, not asserted here.)"""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from benchmarks.run import DEFAULT_RESULTS_FILE, parse_args

ROOT = Path(__file__).resolve().parents[2]
VENDOR = "postgresql" if settings.USING_POSTGRES else "sqlite"
OTHER_VENDOR = "sqlite" if settings.USING_POSTGRES else "postgresql"
NOT_RECORDED = "Not recorded yet"


def run_benchmarks(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_quick_run_of_every_benchmark(tmp_path):
    """One run checked from every side (one run only: it is the slow part, about 5 s)."""
    document = tmp_path / "benchmarks.md"
    document.write_text(DEFAULT_RESULTS_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    raw = tmp_path / "raw.json"
    real_document = digest(DEFAULT_RESULTS_FILE)
    completed = run_benchmarks(
        "--quick", "--no-migrations", "--json", str(raw), "--write", str(document)
    )
    assert completed.returncode == 0, completed.stderr
    assert digest(DEFAULT_RESULTS_FILE) == real_document, "the recorded results were overwritten"
    results = {result["name"]: result for result in json.loads(raw.read_text(encoding="utf-8"))}

    check_tables_are_printed(completed.stdout, results)
    check_hiboutik_calls(results["hiboutik"]["data"])
    check_service_queries(results["services"]["data"])
    check_page_queries(results["pages"]["data"])
    check_written_blocks(document.read_text(encoding="utf-8"))


def check_tables_are_printed(stdout: str, results: dict) -> None:
    assert list(results) == ["hiboutik", "services", "pages"]
    for result in results.values():
        assert f"## {result['title']}" in stdout
        assert result["tables"] and all(table["rows"] for table in result["tables"])
    assert results["services"]["environment"]["database"].lower().startswith(VENDOR)


def check_hiboutik_calls(data: dict) -> None:
    """Calls are counted by the client and the simulator alike."""
    hundred = data["100"]
    for part in ("products", "stock"):
        assert hundred[part]["rows"] == 100
        assert hundred[part]["ledger_calls"] == hundred[part]["simulator_calls"] == 1
    for reading in hundred["faults"].values():
        assert reading["failed_rounds"] == 0
        assert reading["ledger_calls"] == reading["simulator_calls"] >= 1
        answered = sum(reading["statuses"].values())
        assert reading["ledger_calls"] == answered + reading["unanswered"]


def check_service_queries(data: dict) -> None:
    imports = data["order_import_complete"]
    in_stock, forced, again = (imports[case]["1"] for case in imports)
    assert in_stock["writes"] > 0 and in_stock["reads"] > 0
    assert in_stock["queries"] == in_stock["reads"] + in_stock["writes"] + in_stock["transaction"]
    # (The benchmark itself checks that the forced import recorded its forced stock.)
    assert forced["writes"] > 0
    assert again["writes"] == 0 and again["queries"] < in_stock["queries"]
    # Ten changed rows, written as one batch: one UPDATE of the stock rows, one INSERT of the
    # movements, however many rows.
    assert data["stock_set_many"]["10"]["writes"] == 2
    assert data["rma_create"]["1"]["writes"] > 0 and data["refund_create"]["1"]["writes"] > 0


def check_page_queries(data: dict) -> None:
    """Pages read without writing; the mass edit saves."""
    gets = [data["order_list"]["5"], data["product_list"]["10"], *data["order_detail"].values()]
    assert len(data["order_detail"]) == 12  # six tabs, as a page and as an htmx panel
    for page in gets:
        assert page["queries"] > 0 and page["writes"] == 0
    posts = [sample for label, sample in data["stock_mass_edit"].items() if "POST" in label]
    assert len(posts) == 2
    for sample in posts:
        # Five rows as one batch: one UPDATE and one INSERT of movements (and, for the plain
        # POST, the session keeping the flash message).
        assert 2 <= sample["writes"] <= 3


def block(text: str, key: str) -> str:
    return text.split(f"<!-- results:{key} -->")[1].split(f"<!-- /results:{key} -->")[0]


def check_written_blocks(written: str) -> None:
    """Only the blocks of this run were replaced; the other database's and the prose stay."""
    original = DEFAULT_RESULTS_FILE.read_text(encoding="utf-8")
    for key in ("hiboutik", f"services-{VENDOR}", f"pages-{VENDOR}"):
        assert NOT_RECORDED not in block(written, key)
        assert "| Queries |" in block(written, key) or "| Calls (ledger) |" in block(written, key)
        assert "--quick" in block(written, key)  # the command that produced it
    for key in (f"services-{OTHER_VENDOR}", f"pages-{OTHER_VENDOR}"):
        assert block(written, key) == block(original, key)
    prose = [line for line in original.splitlines() if line.startswith(("#", "**What.**"))]
    assert prose and all(line in written.splitlines() for line in prose)


def test_a_missing_marker_stops_the_run_before_it_measures(tmp_path):
    document = tmp_path / "notes.md"
    document.write_text("# Notes\n\nNo results block here.\n", encoding="utf-8")
    completed = run_benchmarks("--only", "hiboutik", "--quick", "--write", str(document))
    assert completed.returncode == 1
    assert "<!-- results:hiboutik -->" in completed.stderr
    assert completed.stdout == ""  # nothing was measured
    assert document.read_text(encoding="utf-8") == "# Notes\n\nNo results block here.\n"


@pytest.mark.parametrize(
    "args",
    [["--only", "everything"], ["--write", "/nonexistent/benchmarks.md"], ["--quick", "extra"]],
)
def test_bad_options_are_refused_with_a_usage_error(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(args)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err
