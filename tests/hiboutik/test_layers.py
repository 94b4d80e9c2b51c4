"""The client and the mappers stay free of Django and of Connect's apps, so they can be used
(and tested) outside Django: importing them loads neither."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
CLIENT = [
    "hiboutik.client",
    "hiboutik.transport",
    "hiboutik.pagination",
    "hiboutik.retry",
    "hiboutik.throttling",
    "hiboutik.errors",
    "hiboutik.types",
    "hiboutik.responses",
    "hiboutik.ledger",
    "hiboutik.concurrency",
    "hiboutik.php_form",
]
MAPPERS = sorted(
    f"hiboutik.mappers.{path.stem}"
    for path in (PROJECT / "hiboutik" / "mappers").glob("*.py")
    if path.stem != "__init__"
)
FORBIDDEN = ("django", "integrations", "sales", "inventory", "connect", "celery")


def test_client_and_mappers_import_without_django():
    script = (
        "import importlib, json, sys\n"
        f"for name in {CLIENT + MAPPERS!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    loaded = json.loads(done.stdout)
    assert MAPPERS and "hiboutik.client" in loaded
    assert [name for name in loaded if name.split(".")[0] in FORBIDDEN] == []
