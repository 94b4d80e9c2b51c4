"""The Procfile `make run` starts: every role of Connect, each with a command the code accepts."""

import importlib.util
import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def load_supervisor():
    spec = importlib.util.spec_from_file_location(
        "run_procfile", PROJECT / "scripts" / "run_procfile.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_procfile_runs_web_worker_beat_and_the_simulator():
    supervisor = load_supervisor()
    processes = {
        process.name: process.command
        for process in supervisor.parse_procfile((PROJECT / "Procfile").read_text())
    }
    assert set(processes) == {"web", "worker", "beat", "simulator"}
    assert "manage.py runserver" in processes["web"]
    assert "celery -A connect --quiet worker" in processes["worker"]
    assert "celery -A connect --quiet beat" in processes["beat"]
    assert "-m hiboutik.simulator" in processes["simulator"]
    assert '--state "$SIMULATOR_STATE"' in processes["simulator"]
    # exec: the supervisor's SIGTERM reaches the program itself, not a shell around it.
    assert all(command.startswith("exec ") for command in processes.values())


def test_make_run_sets_every_variable_the_procfile_uses():
    procfile = (PROJECT / "Procfile").read_text()
    makefile = (PROJECT / "Makefile").read_text()
    commands = "\n".join(line for line in procfile.splitlines() if not line.startswith("#"))
    used = set(re.findall(r"\$\{?([A-Z_]+)", commands))
    assert used == {"WEB_ADDRESS", "WORKER_CONCURRENCY", "SIMULATOR_PORT", "SIMULATOR_STATE"}
    for variable in used:
        assert f"run: export {variable} :=" in makefile
