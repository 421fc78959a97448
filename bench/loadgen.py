"""The load harness: a small, cheap HTTP/1.1 load generator on asyncio streams (no third-party client), the
gunicorn servers under load, and the CPU each side spent (read from /proc).

Why not locust or aiohttp: the benchmark machine has 2 cores shared by the servers and the client, so every
microsecond the client spends is taken from the server being measured. This client does only what is needed:
one connection per request (gunicorn's sync workers close the connection after every response anyway, for the
app and for the ceiling alike), a request written in one piece, the answer read to EOF and its status, headers
and body split once. It costs about 0.3 ms of CPU per request (locust's FastHttpUser: 0.55 ms, measured against
the ceiling), and ``Phase.client_cpu_s`` says how much it really used, so a reader can see what the client took
from the servers.

Load is closed-loop: ``concurrency`` workers each send their next request as soon as the previous answer is in,
which is "that many people with a request in flight at every moment" (no think time). Every loop is bounded in
count (the jobs given) and in time (``seconds``); a worker finishes the request it has in flight (at most
``request_timeout``) and counts it.

The client's garbage collector is off while a loop runs: the benchmark holds some 200,000 objects (the
participants, their attempts' questions), and a full collection of them (~100 ms, measured with ``gc.callbacks``)
stopped the event loop with 50 requests in flight, which showed as server latency in the p99. What a loop
leaves behind is collected after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class HTTPFailure(Exception):
    """No HTTP answer at all (refused, reset, timed out, unparseable)."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(slots=True)
class Client:
    """Sends requests to one loopback address; each request opens and closes its own connection."""

    host: str
    port: int
    request_timeout: float = 30.0

    async def request(self, method: str, path: str, payload: Any = None,
                      headers: dict[str, str] | None = None) -> Response:
        body = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: close",
                "User-Agent: quizapp-bench"]
        if payload is not None:
            head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        elif method in ("POST", "PUT"):
            head.append("Content-Length: 0")
        head += [f"{name}: {value}" for name, value in (headers or {}).items()]
        raw = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        try:
            return await asyncio.wait_for(self._exchange(raw), self.request_timeout)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as error:
            raise HTTPFailure(f"{type(error).__name__}: {error}") from None

    async def _exchange(self, raw: bytes) -> Response:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(raw)
            data = await reader.read()  # the server closes after the response (sync worker, Connection: close)
        finally:
            writer.close()
        head, sep, body = data.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError(f"incomplete response ({len(data)} bytes)")
        status_line = head.split(b"\r\n", 1)[0].split(b" ", 2)
        return Response(int(status_line[1]), body)


@dataclass(slots=True)
class Tally:
    """Latencies (seconds) of the answers that had the expected status, and a count of everything else."""

    latencies: list[float] = field(default_factory=list)
    sent: list[float] = field(default_factory=list)  # when each of those was sent, in seconds from the phase's start
    unexpected: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)

    def fail(self, what: str, sample: str) -> None:
        self.unexpected[what] = self.unexpected.get(what, 0) + 1
        if len(self.samples) < 3:
            self.samples.append(sample[:300])

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def failed(self) -> int:
        return sum(self.unexpected.values())

    def percentile_ms(self, fraction: float) -> float:
        """Nearest-rank percentile in milliseconds (nan when nothing succeeded)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
        return ordered[rank - 1] * 1000


@dataclass(slots=True)
class Phase:
    """What one closed-loop run measured: wall time, the tally, and the client's own CPU time."""

    name: str
    concurrency: int
    wall_s: float = 0.0
    client_cpu_s: float = 0.0
    tally: Tally = field(default_factory=Tally)
    stopped_by_time: bool = False
    began: float = 0.0  # perf_counter() at the start

    @property
    def rps(self) -> float:
        return self.tally.ok / self.wall_s if self.wall_s else 0.0


Job = Callable[[], Awaitable[tuple[int, int, bytes]]]
"""A job sends one request and returns (expected status, actual status, body)."""


async def run_closed_loop(name: str, jobs: Iterable[Job], *, concurrency: int, seconds: float) -> Phase:
    """Run ``jobs`` with ``concurrency`` workers until they are exhausted or ``seconds`` have passed."""
    phase = Phase(name, concurrency)
    iterator = iter(jobs)
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        for job in iterator:  # the iterator is shared: each job is taken by one worker
            if time.perf_counter() >= deadline:
                phase.stopped_by_time = True
                return
            started = time.perf_counter()
            try:
                expected, status, body = await job()
            except HTTPFailure as error:
                phase.tally.fail("no answer", str(error))
                continue
            if status == expected:
                phase.tally.latencies.append(time.perf_counter() - started)
                phase.tally.sent.append(started - phase.began)
            else:
                phase.tally.fail(f"HTTP {status}", f"HTTP {status}: {body[:300]!r}")

    collecting = gc.isenabled()
    gc.disable()  # the client's own full collections stalled every request in flight (see the module's docstring)
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        phase.began = wall
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        phase.wall_s = time.perf_counter() - wall
        phase.client_cpu_s = time.process_time() - cpu
    finally:
        if collecting:
            gc.enable()
    return phase


# --- the servers under load, and what they spent ------------------------------------------------------------

def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Servers:
    """WSGI apps served by ``gunicorn -w N`` (sync workers) on loopback ports, each in its own process group.

    A context manager: leaving it (also on an exception) stops every server it started and waits for them.
    """

    def __init__(self, targets: dict[str, str], env: dict[str, str], *, workers: int, cwd: Path,
                 log_dir: Path) -> None:
        self.targets, self.env, self.workers, self.cwd, self.log_dir = targets, env, workers, cwd, log_dir
        self.ports: dict[str, int] = {}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def __enter__(self) -> Servers:
        try:
            for name, target in self.targets.items():
                self._start(name, target)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _start(self, name: str, target: str) -> None:
        port = free_loopback_port()
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        log = (self.log_dir / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            [gunicorn, "-w", str(self.workers), "-k", "sync", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
             target], cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.ports[name] = port
        deadline = time.monotonic() + 30
        while len(self.worker_pids(name)) < self.workers or not _listening(port):
            if self.processes[name].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} server did not start:\n" + (self.log_dir / f"{name}.log").read_text())
            time.sleep(0.1)

    def client(self, name: str) -> Client:
        return Client("127.0.0.1", self.ports[name])

    def worker_pids(self, name: str) -> list[int]:
        master = self.processes[name].pid
        try:
            return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)  # the master and its workers: the group we started
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


_TICK = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores; idle and iowait excluded)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / _TICK


class CpuMeter:
    """CPU spent during a measurement by a server's gunicorn workers, by the PostgreSQL backends of the
    benchmark's database, by the client, and by everything else on the machine (other people's work)."""

    def __init__(self, servers: Servers, watcher: Any) -> None:
        self.servers, self.watcher = servers, watcher  # watcher: a psycopg connection to the benchmark database

    def _postgres_pids(self) -> list[int]:
        rows = self.watcher.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                    "AND pid <> pg_backend_pid()").fetchall()
        self.watcher.rollback()
        return [row[0] for row in rows]

    def snapshot(self, server: str) -> dict[str, Any]:
        pids = {"app": self.servers.worker_pids(server) + [self.servers.processes[server].pid],
                "postgres": self._postgres_pids()}
        return {"per_pid": {kind: {pid: process_cpu_s(pid) for pid in found} for kind, found in pids.items()},
                "machine": machine_busy_s(), "wall": time.perf_counter()}

    def spent(self, server: str, before: dict[str, Any], client_cpu_s: float) -> dict[str, float]:
        after = self.snapshot(server)
        spent = {kind: sum(cpu - before["per_pid"][kind].get(pid, 0.0) for pid, cpu in per_pid.items())
                 for kind, per_pid in after["per_pid"].items()}
        wall = after["wall"] - before["wall"]
        others = after["machine"] - before["machine"] - spent["app"] - spent["postgres"] - client_cpu_s
        return {"app": spent["app"], "postgres": spent["postgres"], "client": client_cpu_s,
                "others_cores": max(others, 0.0) / wall if wall else 0.0}


# --- one measurement: a closed loop, what it cost, and optionally a py-spy profile ---------------------------

@dataclass(slots=True)
class Measured:
    """One closed-loop run of ``endpoint`` at ``level`` requests in flight, and the CPU it cost each side."""

    level: int
    endpoint: str
    phase: Phase
    cpu: dict[str, float]
    ceiling_rps: float = 0.0  # the ceiling measured just before this step, at the same level
    ceiling_server_ms: float = 0.0  # and its server CPU (gunicorn workers + PostgreSQL) per request

    @property
    def server_ms(self) -> float:
        return (self.cpu["app"] + self.cpu["postgres"]) * 1000 / max(self.phase.tally.ok, 1)

    def merge(self, other: Measured) -> None:
        """Add ``other`` (a later slice of the same measurement) to this one."""
        walls = self.phase.wall_s + other.phase.wall_s
        self.cpu = {kind: self.cpu[kind] + other.cpu[kind] for kind in ("app", "postgres", "client")} | {
            "others_cores": (self.cpu["others_cores"] * self.phase.wall_s
                             + other.cpu["others_cores"] * other.phase.wall_s) / walls}
        self.phase.wall_s, self.phase.client_cpu_s = walls, self.phase.client_cpu_s + other.phase.client_cpu_s
        self.phase.tally.latencies += other.phase.tally.latencies
        self.phase.tally.sent += [other.phase.began - self.phase.began + sent for sent in other.phase.tally.sent]
        for what, count in other.phase.tally.unexpected.items():
            self.phase.tally.unexpected[what] = self.phase.tally.unexpected.get(what, 0) + count
        self.phase.stopped_by_time |= other.phase.stopped_by_time


async def measure(meter: CpuMeter, server: str, level: int, endpoint: str, jobs: list[Job],
                  seconds: float, py_spy: Path | None) -> Measured:
    """Run ``jobs`` against ``server`` with ``level`` workers for at most ``seconds``; with ``py_spy`` (a folder),
    record the server's workers meanwhile into ``py_spy/LEVEL-ENDPOINT.txt`` (collapsed stacks)."""
    spy = None
    if py_spy is not None:
        py_spy.mkdir(parents=True, exist_ok=True)
        with (py_spy / f"{level}-{endpoint}.log").open("wb") as log:
            spy = subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "--pid",
                                    str(meter.servers.processes[server].pid), "--subprocesses", "--format", "raw",
                                    "--function", "--nonblocking", "--rate", "100",
                                    "--output", str(py_spy / f"{level}-{endpoint}.txt")],
                                   stdout=subprocess.DEVNULL, stderr=log)
        await asyncio.sleep(1)  # py-spy attaches
    try:
        before = meter.snapshot(server)
        phase = await run_closed_loop(endpoint, jobs, concurrency=level, seconds=seconds)
        spent = meter.spent(server, before, phase.client_cpu_s)
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
            spy.wait(timeout=30)
    return Measured(level, endpoint, phase, spent)
