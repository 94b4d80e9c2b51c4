"""``python -m hiboutik.simulator``: help text, start-up errors and a real run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from hiboutik.simulator.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[3]


def test_help_documents_every_option() -> None:
    parser = build_parser()
    text = parser.format_help()
    for action in parser._actions:
        for flag in action.option_strings:
            assert flag in text
        if action.option_strings and action.dest != "help":
            assert action.help, action.dest
    for flag in (
        "--port",
        "--account",
        "--user",
        "--api-key",
        "--quota",
        "--latency-ms",
        "--state",
        "--seed",
        "--readonly-user",
        "--readonly-key",
        "--empty-search",
        "--page-past-end",
        "--page-param",
        "--quota-message",
        "--search-match",
        "--unknown-fields",
        "--negative-inventory",
        "--exchange-mode",
    ):
        assert flag in text


def test_bad_configuration_exits_2_with_a_message(capsys, tmp_path: Path) -> None:
    assert main(["--port", "0", "--api-key", "bad key"]) == 2
    assert "api_key" in capsys.readouterr().err
    broken = tmp_path / "state.json"
    broken.write_text("[]")
    assert main(["--port", "0", "--state", str(broken)]) == 2
    assert "cannot load simulator state" in capsys.readouterr().err


def test_module_serves_until_terminated(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hiboutik.simulator",
            "--port",
            "0",
            "--quota",
            "7",
            "--state",
            str(tmp_path / "s.json"),
            "--products",
            "3",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        banner = process.stdout.readline()
        base_url = banner.split(" at ")[1].split(" ")[0]
        products = requests.get(
            f"{base_url}/products/", auth=("demo@connect.test", "DEMOKEY"), timeout=5
        )
        assert products.status_code == 200
        assert len(products.json()) == 10
        stats = requests.get(base_url.replace("/api", "/_sim/stats"), timeout=5).json()
        assert stats["quota"] == 7
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    assert (tmp_path / "s.json").exists()
