"""``serve --workers N``: N server processes on one port, one Rasa for all of them.

The supervisor binds one ``SO_REUSEPORT`` listening socket per worker slot, all on the same
port, and keeps them; the worker of slot *i* inherits socket *i*. The kernel spreads new
connections evenly over the sockets (one shared socket instead lets whichever worker wakes
first take every waiting connection, and keep-alive keeps them there). Because the sockets
belong to the supervisor, a worker that stops never closes one: in a rolling restart the new
worker of a slot accepts from the same socket before the old one stops, so no queued
connection is reset (see README, "Several workers", for the measurements).

It also: migrates the database and imports the guides once before the workers start (so
they do not race each other), starts the local Rasa once and gives the workers its URL and
token, keeps prometheus-client's multiprocess directory, restarts a worker that dies, and on
SIGHUP replaces the workers one at a time (the new one accepting before the old one stops).
On SIGTERM or SIGINT every worker finishes its turns and drains, then Rasa stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

from bot import metrics
from bot.app import open_services, prepare_database
from bot.config import Settings
from bot.intents.rasa_server import die_with_parent
from bot.intents.runtime import SHARED_ENV, local_rasa_server
from bot.nluloop.serving import ServingRecord

log = logging.getLogger(__name__)

READY_WITHIN = 120.0  # seconds for a new worker to accept (it migrates nothing, loads flows)
STOP_WITHIN = 60.0  # then SIGKILL: a worker's own graceful shutdown waits at most 30 s + drain
BACKLOG = 2048


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


@dataclass
class _Worker:
    slot: int
    process: asyncio.subprocess.Process
    retired: bool = False


@dataclass
class Supervisor:
    settings: Settings
    count: int
    env: dict[str, str] = field(default_factory=dict)
    _workers: dict[int, _Worker] = field(default_factory=dict)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _rolling: asyncio.Event = field(default_factory=asyncio.Event)
    _fds: list[int] = field(default_factory=list)

    async def run(self) -> int:
        sockets = [listen(self.settings.host, self.settings.port) for _ in range(self.count)]
        self._fds = [sock.fileno() for sock in sockets]
        metrics_dir = tempfile.mkdtemp(prefix="digiguide-metrics-")
        self.env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": metrics_dir, "WORKERS": "1",
                    "DIGIGUIDE_INSTANCE_ID": self.settings.instance_id or uuid.uuid4().hex}
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self._stop.set)
        loop.add_signal_handler(signal.SIGINT, self._stop.set)
        loop.add_signal_handler(signal.SIGHUP, self._rolling.set)
        try:
            async with AsyncExitStack() as stack:
                await prepare_database(self.settings)
                if self.settings.nlu_mode == "rasa" and not self.settings.rasa_url:
                    url, token = await stack.enter_async_context(local_rasa_server(
                        await stack.enter_async_context(self._model_source()),
                        self.settings.nlu_paths))
                    self.env.update(RASA_URL=url, RASA_TOKEN=token, **{SHARED_ENV: "1"})
                started = await asyncio.gather(*(self._spawn(i) for i in range(self.count)))
                if not all(started):
                    log.error("a worker did not start; stopping")
                    self._stop.set()
                log.info("%d workers serve http://%s:%d", self.count, self.settings.host,
                         self.settings.port)
                await self._supervise()
                await self._stop_all()
        finally:
            for sock in sockets:
                sock.close()
            shutil.rmtree(metrics_dir, ignore_errors=True)
        return 0

    @contextlib.asynccontextmanager
    async def _model_source(self) -> AsyncIterator[ServingRecord]:
        """The learning loop's active model, which the shared Rasa serves (and switches to
        when an admin activates another; the workers follow the announced URL)."""
        async with open_services(self.settings, migrate=False) as services:
            yield services.serving_record()

    async def _spawn(self, slot: int) -> bool:
        """Start a worker for ``slot``; True once it accepts connections."""
        fd = self._fds[slot]
        read_end, write_end = os.pipe()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "serve", "--listen-fd", str(fd),
            "--ready-fd", str(write_end), "--worker-name", str(slot + 1),
            env=self.env, pass_fds=(fd, write_end), stdin=asyncio.subprocess.DEVNULL,
            preexec_fn=die_with_parent)
        os.close(write_end)
        reading = asyncio.get_running_loop().run_in_executor(None, os.read, read_end, 1)
        try:
            ready = await asyncio.wait_for(asyncio.shield(reading), READY_WITHIN) == b"1"
        except TimeoutError:
            ready = False
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await reading  # returns once the killed worker's end of the pipe closes
        finally:
            os.close(read_end)
        if not ready:
            await process.wait()
            metrics.worker_exited(process.pid)
            log.error("worker %d (pid %d) failed to start", slot + 1, process.pid)
            return False
        old = self._workers.get(slot)
        self._workers[slot] = _Worker(slot, process)
        if old is not None:
            old.retired = True
        log.info("worker %d (pid %d) accepts connections", slot + 1, process.pid)
        return True

    async def _supervise(self) -> None:
        crashes: dict[int, int] = {}
        while not self._stop.is_set():
            waits = {asyncio.create_task(w.process.wait()): w for w in self._workers.values()}
            stop = asyncio.create_task(self._stop.wait())
            roll = asyncio.create_task(self._rolling.wait())
            done, pending = await asyncio.wait([*waits, stop, roll],
                                               return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            if self._stop.is_set():
                return
            if self._rolling.is_set():
                self._rolling.clear()
                await self._rolling_restart()
                continue
            for task in done:
                worker = waits.get(task)
                if worker is None or worker.retired:
                    continue
                metrics.worker_exited(worker.process.pid)
                log.error("worker %d (pid %d) exited with %s; starting another", worker.slot + 1,
                          worker.process.pid, worker.process.returncode)
                crashes[worker.slot] = crashes.get(worker.slot, 0) + 1
                await asyncio.sleep(min(30.0, 0.5 * 2 ** min(crashes[worker.slot], 6)))
                if not self._stop.is_set() and await self._spawn(worker.slot):
                    crashes[worker.slot] = 0

    async def _rolling_restart(self) -> None:
        """Replace the workers one by one: start the new one, and stop the old one only once
        the new one accepts, so the port always has a worker and no turn is cut short."""
        log.info("rolling restart of %d workers", len(self._workers))
        for slot in sorted(self._workers):
            old = self._workers[slot]
            if not await self._spawn(slot):
                log.error("rolling restart stopped: worker %d keeps running", slot + 1)
                return
            await self._terminate(old.process)
        log.info("rolling restart done")

    async def _terminate(self, process: asyncio.subprocess.Process) -> None:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_WITHIN)
            except TimeoutError:
                log.error("worker pid %d did not stop in %.0f s; killing it", process.pid,
                          STOP_WITHIN)
                process.kill()
                await process.wait()
        metrics.worker_exited(process.pid)

    async def _stop_all(self) -> None:
        log.info("stopping %d workers (they finish their turns first)", len(self._workers))
        await asyncio.gather(*(self._terminate(w.process) for w in self._workers.values()))
