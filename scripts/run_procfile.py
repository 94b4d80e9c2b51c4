"""Run every process of a Procfile in one terminal; Ctrl-C stops them all cleanly.

    python scripts/run_procfile.py [--grace SECONDS] [Procfile]

Unlike a supervisor that signals whole process groups, each process here gets SIGTERM on its
main process only, so a Celery worker shuts its pool down itself (a warm shutdown that hands
unfinished messages back to the broker) instead of having its children killed under it. What is
still running after the grace period is killed with its whole process group. When one process
exits on its own, the others are stopped and the exit status says which one failed.
"""

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

LINE = re.compile(r"^(?P<name>[A-Za-z0-9_-]+):\s*(?P<command>\S.*)$")
COLOURS = ("36", "33", "32", "35", "34", "31")


class ProcfileError(ValueError):
    pass


@dataclass
class Process:
    name: str
    command: str
    popen: subprocess.Popen | None = None


def parse_procfile(text: str, source: str = "Procfile") -> list[Process]:
    processes: list[Process] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = LINE.match(line)
        if not match:
            raise ProcfileError(f"{source}:{number}: expected 'name: command', got {line!r}")
        if any(process.name == match["name"] for process in processes):
            raise ProcfileError(f"{source}:{number}: process {match['name']!r} is defined twice")
        processes.append(Process(match["name"], match["command"]))
    if not processes:
        raise ProcfileError(f"{source}: no process to run")
    return processes


class Supervisor:
    def __init__(self, processes: list[Process], grace: float) -> None:
        self.processes = processes
        self.grace = grace
        self.width = max(len(process.name) for process in processes)
        self.colour = sys.stdout.isatty()
        self.print_lock = threading.Lock()
        self.stop_requested = threading.Event()
        self.signal_count = 0

    def say(self, name: str, text: str, colour: str = "1") -> None:
        label = f"{time.strftime('%H:%M:%S')} {name.ljust(self.width)} |"
        if self.colour:
            label = f"\033[{colour}m{label}\033[0m"
        with self.print_lock:
            sys.stdout.write(f"{label} {text}\n")
            sys.stdout.flush()

    def start(self) -> None:
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for index, process in enumerate(self.processes):
            # A session of its own: the terminal's Ctrl-C reaches only this supervisor, which
            # then stops the processes in order instead of all at once.
            # The commands are the project's own Procfile, run as a shell would.
            process.popen = subprocess.Popen(  # noqa: S603
                ["/bin/sh", "-c", process.command],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=environment,
                start_new_session=True,
            )
            self.say("system", f"{process.name} started (pid {process.popen.pid})")
            colour = COLOURS[index % len(COLOURS)]
            threading.Thread(
                target=self.relay, args=(process, colour), daemon=True, name=process.name
            ).start()

    def relay(self, process: Process, colour: str) -> None:
        assert process.popen is not None and process.popen.stdout is not None
        for raw in iter(process.popen.stdout.readline, b""):
            self.say(process.name, raw.decode(errors="replace").rstrip("\n"), colour)

    def on_signal(self, signum: int, _frame) -> None:
        self.signal_count += 1
        if self.signal_count > 1:
            self.say("system", "second interrupt: killing every process now")
            self.signal_groups(signal.SIGKILL)
        self.stop_requested.set()

    def signal_groups(self, signum: int) -> None:
        for process in self.processes:
            if process.popen is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.popen.pid, signum)

    def wait_for_first_exit(self) -> Process | None:
        while not self.stop_requested.wait(0.2):
            for process in self.processes:
                if process.popen is not None and process.popen.poll() is not None:
                    return process
        return None

    def stop_all(self) -> None:
        for process in self.processes:
            if process.popen is not None and process.popen.poll() is None:
                self.say("system", f"stopping {process.name}")
                process.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        while time.monotonic() < deadline and self.running():
            time.sleep(0.1)
        for process in self.running():
            self.say("system", f"{process.name} did not stop within {self.grace:g}s: killing it")
        # Also reaps what a stopped process left behind in its group.
        self.signal_groups(signal.SIGKILL)
        for process in self.processes:
            if process.popen is not None:
                process.popen.wait()
                self.say("system", f"{process.name} exited ({process.popen.returncode})")

    def running(self) -> list[Process]:
        return [p for p in self.processes if p.popen is not None and p.popen.poll() is None]

    def run(self) -> int:
        signal.signal(signal.SIGINT, self.on_signal)
        signal.signal(signal.SIGTERM, self.on_signal)
        self.start()
        first = self.wait_for_first_exit()
        if first is not None:
            assert first.popen is not None
            self.say("system", f"{first.name} exited ({first.popen.returncode}): stopping all")
        else:
            self.say("system", "interrupted: stopping all")
        self.stop_all()
        if first is not None:
            return first.popen.returncode or 1
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("procfile", nargs="?", default="Procfile", type=Path)
    parser.add_argument(
        "--grace",
        type=float,
        default=20.0,
        help="seconds each process gets to stop after SIGTERM before it is killed (default: 20)",
    )
    args = parser.parse_args(argv)
    try:
        processes = parse_procfile(args.procfile.read_text(), str(args.procfile))
    except (OSError, ProcfileError) as error:
        print(f"run_procfile: {error}", file=sys.stderr)
        return 2
    return Supervisor(processes, args.grace).run()


if __name__ == "__main__":
    sys.exit(main())
