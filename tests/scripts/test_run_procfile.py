"""The one-terminal supervisor behind `make run`: start all, relay output, stop all cleanly."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "run_procfile.py"
PY = sys.executable

# Prints when ready, and on SIGTERM says so and exits 0, like a well-behaved server.
POLITE = (
    "import signal, sys, time\n"
    "def stop(*_):\n"
    "    print('{name} clean exit', flush=True)\n"
    "    sys.exit(0)\n"
    "signal.signal(signal.SIGTERM, stop)\n"
    "{extra}\n"
    "print('{name} ready', flush=True)\n"
    "time.sleep(60)\n"
)


def polite(name: str, extra: str = "") -> str:
    return POLITE.format(name=name, extra=extra)


def write_procfile(folder: Path, **processes: str) -> Path:
    lines = []
    for name, code in processes.items():
        script = folder / f"{name}.py"
        script.write_text(code)
        lines.append(f"{name}: exec {PY} {script}")
    procfile = folder / "Procfile"
    procfile.write_text("# test processes\n\n" + "\n".join(lines) + "\n")
    return procfile


def start(procfile: Path, output: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PY, str(SCRIPT), *args, str(procfile)],
        stdout=output.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for_text(output: Path, *texts: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = output.read_text()
        if all(text in content for text in texts):
            return content
        time.sleep(0.05)
    pytest.fail(f"never printed {texts}; output:\n{output.read_text()}")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is no longer running.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" not in status.read_text()


def test_ctrl_c_stops_every_process_through_its_own_shutdown(tmp_path):
    grandchild_pid = tmp_path / "grandchild.pid"
    spawns_a_child = textwrap.dedent(f"""
        import subprocess
        child = subprocess.Popen([{PY!r}, "-c", "import time; time.sleep(60)"])
        open({str(grandchild_pid)!r}, "w").write(str(child.pid))
    """)
    procfile = write_procfile(tmp_path, web=polite("web"), worker=polite("worker", spawns_a_child))
    output = tmp_path / "out.log"
    supervisor = start(procfile, output)

    wait_for_text(output, "web ready", "worker ready")
    supervisor.send_signal(signal.SIGINT)
    assert supervisor.wait(timeout=20) == 0

    log = output.read_text()
    for name in ("web", "worker"):
        assert f"{name} started (pid" in log
        assert f"{name} clean exit" in log  # stopped by SIGTERM, not killed
        assert f"{name} exited (0)" in log
    # Output is relayed line by line with the process name in front.
    assert any(line.split("|")[0].split()[-1] == "web" for line in log.splitlines() if "|" in line)
    # What a process leaves behind in its group is reaped too.
    assert not pid_alive(int(grandchild_pid.read_text()))


def test_one_process_dying_stops_the_others_and_fails_the_run(tmp_path):
    crashes = "import sys, time\nprint('starting', flush=True)\ntime.sleep(1)\nsys.exit(3)\n"
    procfile = write_procfile(tmp_path, web=polite("web"), broken=crashes)
    output = tmp_path / "out.log"
    supervisor = start(procfile, output)

    assert supervisor.wait(timeout=20) == 3
    log = output.read_text()
    assert "broken exited (3): stopping all" in log
    assert "web clean exit" in log


def test_a_process_ignoring_sigterm_is_killed_after_the_grace_period(tmp_path):
    stubborn = (
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('stubborn ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    procfile = write_procfile(tmp_path, stubborn=stubborn)
    output = tmp_path / "out.log"
    supervisor = start(procfile, output, "--grace", "1")

    wait_for_text(output, "stubborn ready")
    began = time.monotonic()
    supervisor.send_signal(signal.SIGTERM)
    assert supervisor.wait(timeout=20) == 0
    assert time.monotonic() - began < 10
    assert "stubborn did not stop within 1s: killing it" in output.read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("web: run\nthis line is wrong\n", "Procfile:2: expected 'name: command'"),
        ("web: one\nweb: two\n", "Procfile:2: process 'web' is defined twice"),
        ("# only comments\n", "no process to run"),
    ],
)
def test_a_bad_procfile_is_refused_with_its_line(tmp_path, content, message):
    procfile = tmp_path / "Procfile"
    procfile.write_text(content)
    result = subprocess.run(
        [PY, str(SCRIPT), str(procfile)], capture_output=True, text=True, timeout=20
    )
    assert result.returncode == 2
    assert message in result.stderr
