"""Processes: gunicorn in a subprocess, RSS from /proc, the load generator as a second process."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from .config import HOST, OUT, PORT, PYTHON, ROOT, child_env


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(x) for x in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


class RssSampler:
    """Samples the RSS of a process tree every `interval` s; peaks are kept per phase."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.pids: dict[str, int] = {}
        self.phase: str | None = None
        self.peaks: dict[str, dict[str, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def watch(self, name: str, pid: int) -> None:
        self.pids[name] = pid

    def begin(self, phase: str) -> None:
        self.phase = phase
        self.peaks.setdefault(phase, {})

    def end(self) -> dict[str, int]:
        self.sample()
        phase, self.phase = self.phase, None
        return self.peaks.get(phase or "", {})

    def sample(self) -> None:
        if self.phase is None:
            return
        peaks = self.peaks[self.phase]
        for name, pid in list(self.pids.items()):
            if name == "gunicorn":
                workers = children(pid)
                per = [rss_kb(w) for w in workers]
                values = {
                    "gunicorn_master_kb": rss_kb(pid),
                    "gunicorn_worker_max_kb": max(per, default=0),
                    "gunicorn_workers_total_kb": sum(per),
                }
            else:
                values = {f"{name}_kb": rss_kb(pid)}
            for k, v in values.items():
                peaks[k] = max(peaks.get(k, 0), v)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()


def _cpu_ticks(pid: str) -> tuple[str, int] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    return name, int(fields[11]) + int(fields[12])  # utime + stime


class ProcessCpu:
    """CPU seconds that processes of one name (e.g. `postgres`: the server's backends and
    helpers) spend between `start` and `stop`, sampled every `interval` s so a backend that
    exits meanwhile still counts (up to its last sample: a lower bound)."""

    def __init__(self, name: str, interval: float = 0.1) -> None:
        self.name, self.interval = name, interval
        self._base: dict[str, int] = {}
        self._last: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self) -> dict[str, int]:
        out = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                got = _cpu_ticks(entry)
                if got is not None and got[0] == self.name:
                    out[entry] = got[1]
        return out

    def start(self) -> None:
        self._base = self._sample()
        self._last = dict(self._base)
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._last.update(self._sample())

    def stop(self) -> float:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._last.update(self._sample())
        ticks = sum(v - self._base.get(pid, 0) for pid, v in self._last.items())
        return ticks / os.sysconf("SC_CLK_TCK")


class Gunicorn:
    def __init__(self, workers: int = 2) -> None:
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = OUT / "gunicorn.log"

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.log, "wb")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "aftersales.wsgi:application",
                "-w",
                str(self.workers),
                "-b",
                f"{HOST}:{PORT}",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=child_env(),
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                c = http.client.HTTPConnection(HOST, PORT, timeout=5)
                c.request("GET", "/login/", headers={"Host": HOST})
                if c.getresponse().status == 200 and len(children(self.proc.pid)) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer on {HOST}:{PORT}; see {self.log}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_loadgen(spec: dict[str, Any]) -> dict[str, Any]:
    """Run bench.loadgen in a separate Python process and return its JSON."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump({"host": HOST, "port": PORT, **spec}, fh)
        path = fh.name
    try:
        r = subprocess.run(
            [PYTHON, "-m", "bench.loadgen", path],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=dict(os.environ),
        )
    finally:
        os.unlink(path)
    if r.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{r.stderr}")
    return json.loads(r.stdout)


def run_measured(
    cmd: list[str],
    *,
    stdout_path: Path,
    stderr_path: Path,
    sampler: RssSampler | None = None,
    name: str = "child",
) -> dict[str, Any]:
    """Run a command; wall time and its own peak RSS (os.wait4 rusage of that one child)."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=child_env(), stdout=out, stderr=err)
        if sampler is not None:
            sampler.watch(name, proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
    if sampler is not None:
        sampler.pids.pop(name, None)
    return {
        "returncode": proc.returncode,
        "elapsed_s": elapsed,
        "peak_rss_kb": usage.ru_maxrss,
        "user_s": usage.ru_utime,
        "sys_s": usage.ru_stime,
    }
