"""Train the Rasa model when its inputs changed, and run ``rasa run`` as a child process.

Rasa lives in its own Python 3.10 environment (``.venv-nlu``), so the bot never imports it:
it shells out to train and talks HTTP to the server. Models are named by a content hash of
everything that shapes them, so an unchanged checkout reuses the model in ``models/`` and a
changed example or pipeline retrains without anyone having to remember to.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import hashlib
import json
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.config import NluPaths

log = logging.getLogger(__name__)



class NluError(RuntimeError):
    """Training or starting Rasa failed; the message ends with the tail of Rasa's log."""


@dataclass(frozen=True)
class TrainedModel:
    path: Path
    trained_now: bool
    train_seconds: float | None


def model_hash(paths: NluPaths) -> str:
    """A content hash of the model's inputs (paths relative to the repo, then bytes)."""
    digest = hashlib.sha256()
    for file in paths.inputs():
        name = file.relative_to(paths.root) if file.is_relative_to(paths.root) else file
        digest.update(str(name).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def model_path(paths: NluPaths) -> Path:
    return paths.models / f"nlu-{model_hash(paths)}.tar.gz"


def rasa_env(paths: NluPaths) -> dict[str, str]:
    """Environment for Rasa: our components importable, no telemetry, no training cache."""
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    env.update(
        PYTHONPATH=str(paths.root),
        RASA_TELEMETRY_ENABLED="false",
        # Models are cached by content hash already; Rasa's own cache would only make train
        # times depend on history (and drop a .rasa/ folder in the working directory).
        RASA_MAX_CACHE_SIZE="0",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONWARNINGS="ignore",
    )
    return env


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In the child before exec: get SIGTERM when the bot dies, even by SIGKILL, so no Rasa
    server (half a gigabyte) outlives the process that started it (Linux prctl)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _niced(niceness: int) -> Callable[[], None]:
    def prepare() -> None:
        die_with_parent()
        with contextlib.suppress(OSError):
            os.nice(niceness)

    return prepare


async def ensure_model(paths: NluPaths | None = None, *, force: bool = False, nice: int = 0
                       ) -> TrainedModel:
    """Return the model for the current inputs, training it first if it does not exist yet.
    ``nice`` lowers the training's CPU priority (the console trains while residents chat)."""
    paths = paths or NluPaths()
    target = model_path(paths)
    meta = target.with_suffix("").with_suffix(".json")
    if target.exists() and not force:
        seconds = json.loads(meta.read_text())["train_seconds"] if meta.exists() else None
        return TrainedModel(target, False, seconds)
    if not paths.rasa.exists():
        raise NluError(f"{paths.rasa} not found: run `make nlu-env` first")
    paths.models.mkdir(parents=True, exist_ok=True)
    partial = f"{target.name.removesuffix('.tar.gz')}-partial-{os.getpid()}"
    log_file = paths.models / f"{partial}.log"
    args = [
        str(paths.rasa),
        "train",
        "nlu",
        "-c",
        str(paths.config),
        "-u",
        str(paths.training),
        "--out",
        str(paths.models),
        "--fixed-model-name",
        partial,
    ]
    log.info("training the NLU model %s", target.name)
    started = time.monotonic()
    with log_file.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            *args,
            cwd=paths.root,
            env=rasa_env(paths),
            stdout=out,
            stderr=out,
            stdin=asyncio.subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_niced(nice) if nice else die_with_parent,
        )
        try:
            code = await process.wait()
        except asyncio.CancelledError:
            # Do not leave an orphan training run behind when the bot shuts down meanwhile.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
            raise
    seconds = round(time.monotonic() - started, 1)
    built = paths.models / f"{partial}.tar.gz"
    if code != 0 or not built.exists():
        raise NluError(f"rasa train failed (exit {code}):\n{_tail(log_file)}")
    os.replace(built, target)
    meta.write_text(json.dumps({"train_seconds": seconds, "config": str(paths.config)}))
    log_file.unlink()
    log.info("trained %s in %.1f s", target.name, seconds)
    return TrainedModel(target, True, seconds)


def free_port() -> int:
    """A port that was free a moment ago on loopback (Rasa binds it right after)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


_TOKEN_VARIABLE = "DIGIGUIDE_RASA_TOKEN"
# One argument ("--auth-token=..."): a random token may start with "-", which argparse would
# take for an option (then `rasa run` exits at once, every restart).
_LAUNCH = ("import os, sys\n"
           f"token = os.environ.pop({_TOKEN_VARIABLE!r})\n"
           "sys.argv = ['rasa', *sys.argv[1:], '--auth-token=' + token]\n"
           "from rasa.__main__ import main\n"
           "main()\n")


@dataclass
class RasaServer:
    """One ``rasa run --enable-api`` child process on loopback, guarded by an auth token."""

    model: Path
    port: int
    token: str
    paths: NluPaths = field(default_factory=NluPaths)
    _process: asyncio.subprocess.Process | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.paths.models / "rasa-server.log"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    def command(self) -> tuple[list[str], dict[str, str]]:
        """``rasa run`` and its environment. The token travels in the environment, which only
        this user can read, not on the command line, which every user sees in ``ps``: a
        small launcher appends it to Rasa's arguments inside the child."""
        args = [str(self.paths.rasa.parent / "python"), "-c", _LAUNCH, "run", "--enable-api",
                "-i", "127.0.0.1", "-p", str(self.port), "-m", str(self.model)]
        # The model is small: TensorFlow's thread pools cost more CPU per parse than they
        # save, and the server answers many residents at once anyway (README, "Free-text
        # turns"). Training keeps the defaults.
        env = {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1",
               **rasa_env(self.paths), _TOKEN_VARIABLE: self.token}
        return args, env

    async def start(self, ready_within: float = 180.0) -> None:
        """Spawn the server and return once it answers an authenticated request."""
        if self.running:
            return
        self.paths.models.mkdir(parents=True, exist_ok=True)
        args, env = self.command()
        with self.log_file.open("ab") as out:
            self._process = await asyncio.create_subprocess_exec(
                *args,
                cwd=self.paths.root,
                env=env,
                stdout=out,
                stderr=out,
                stdin=asyncio.subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )
        await self._wait_ready(ready_within)

    async def _wait_ready(self, ready_within: float) -> None:
        deadline = time.monotonic() + ready_within
        async with httpx.AsyncClient(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if not self.running:
                    raise NluError(f"rasa run exited early:\n{_tail(self.log_file)}")
                with contextlib.suppress(httpx.HTTPError):
                    reply = await client.get(f"{self.url}/status", params={"token": self.token})
                    if reply.status_code == 200:
                        return
                await asyncio.sleep(0.25)
        await self.stop()
        raise NluError(f"rasa run not ready after {ready_within:.0f} s:\n{_tail(self.log_file)}")

    async def wait(self) -> int | None:
        """Wait for the child to exit (used to notice a crash)."""
        return await self._process.wait() if self._process else None

    async def stop(self, grace: float = 15.0) -> None:
        """SIGTERM the server's process group, SIGKILL it if it lingers."""
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), grace)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
