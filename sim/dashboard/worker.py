"""A worker process per participant: the runs live off the web process.

The web process only passes text along; each participant's
:class:`~sim.dashboard.session.CorridorViz` lives in its own process, so one
participant's long step never blocks another's page (nor the GIL of the server).
Workers are forked from a *forkserver* that has the model already imported, so a new
participant's worker starts in a fraction of a second; the warm-up of a set-up
(scenario, seed, sliders) is computed once and shared as a snapshot by every later
participant with the same set-up.

A worker exits when its participant's session closes (:func:`Room.release`, called
from the kernel's shutdown), when the web process goes away (its pipe closes), or
after ``IDLE_SECONDS`` without a request.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time

IDLE_SECONDS = 15 * 60
#: How many participants a room takes (``XBORDER_DASHBOARD_MAX``).
MAX_ENV = "XBORDER_DASHBOARD_MAX"
DEFAULT_MAX = 25


class RoomFull(RuntimeError):
    """No room for another participant."""


def _serve(conn, kwargs: dict) -> None:  # pragma: no cover - runs in the worker process
    from sim.dashboard.frames import act
    from sim.dashboard.session import CorridorViz

    viz = CorridorViz(**kwargs)
    page = {"act": lambda *a, **k: act(viz, *a, **k)}  # the page's frame, built here
    conn.send((True, None))
    while True:
        if not conn.poll(IDLE_SECONDS):
            return
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        name, args, kw = msg
        try:
            conn.send((True, (page.get(name) or getattr(viz, name))(*args, **kw)))
        except Exception as e:  # a participant's error goes back to the page, one line
            conn.send((False, f"{type(e).__name__}: {e}"))


_ctx = None
_ctx_lock = threading.Lock()


def _context():
    """The forkserver context, with the model imported in the server (once)."""
    global _ctx
    with _ctx_lock:
        if _ctx is None:
            _ctx = mp.get_context("forkserver")
            _ctx.set_forkserver_preload(
                ["sim.dashboard.session", "sim.dashboard.narrator", "sim.dashboard.frames"]
            )
        return _ctx


class Worker:
    """One participant's worker process; :meth:`call` runs a CorridorViz method there."""

    def __init__(self, kwargs: dict):
        ctx = _context()
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, kwargs), daemon=True)
        self.proc.start()
        child.close()
        self.lock = threading.Lock()
        self.last = time.monotonic()
        self.call_ready()

    def call_ready(self) -> None:
        """Wait until the worker has built its runs (or raise its error)."""
        ok, val = self.conn.recv()
        if not ok:  # pragma: no cover
            raise RuntimeError(val)

    def call(self, name: str, *args, **kw):
        """Run ``CorridorViz.name(*args, **kw)`` in the worker; return its result.

        Raises:
            ValueError: the method's own error (one line).
        """
        with self.lock:
            self.last = time.monotonic()
            self.conn.send((name, args, kw))
            ok, val = self.conn.recv()
        if not ok:
            raise ValueError(val.split(": ", 1)[-1])
        return val

    def stop(self) -> None:
        """End the worker process (at once if it does not leave within 2 s)."""
        try:
            with self.lock:
                self.conn.send(None)
        except (OSError, BrokenPipeError):
            pass
        self.proc.join(2)
        if self.proc.is_alive():  # pragma: no cover
            self.proc.kill()
            self.proc.join(2)
        self.conn.close()


class Room:
    """The participants' workers, by session; a cap on how many, shared warm-ups."""

    def __init__(self, cap: int | None = None):
        self.cap = int(cap if cap is not None else os.environ.get(MAX_ENV, DEFAULT_MAX))
        self.workers: dict[str, Worker] = {}
        self.snapshots: dict[tuple, bytes] = {}
        self._lock = threading.Lock()
        self._warming: dict[tuple, threading.Lock] = {}

    def __len__(self) -> int:
        return len(self.workers)

    def join(self, session: str, kwargs: dict) -> Worker:
        """The session's worker (started with ``kwargs`` if it has none yet).

        Raises:
            RoomFull: ``cap`` participants are already in.
        """
        with self._lock:
            if session in self.workers:
                return self.workers[session]
            if len(self.workers) >= self.cap:
                raise RoomFull(
                    f"The room is full ({self.cap} participants): ask the facilitator to "
                    f"raise the cap ({MAX_ENV}) or wait for someone to leave."
                )
            self.workers[session] = None  # reserve the place
        try:
            w = self._start(kwargs)
        except BaseException:
            with self._lock:
                self.workers.pop(session, None)
            raise
        with self._lock:
            self.workers[session] = w
        return w

    def _gate(self, kwargs: dict) -> tuple[tuple, threading.Lock]:
        """The set-up's key (side by side aside) and the lock of its warm-up."""
        key = tuple(sorted((k, v) for k, v in kwargs.items() if k != "side_by_side"))
        with self._lock:
            return key, self._warming.setdefault(key, threading.Lock())

    def _start(self, kwargs: dict) -> Worker:
        """A worker for ``kwargs``, from the shared warm-up snapshot when there is one.

        Only a warm-up waits for another: workers from a snapshot start side by side
        (a room joining at once would otherwise start them one after the other).
        """
        key, gate = self._gate(kwargs)
        snap = self.snapshots.get(key)
        if snap is None:
            with gate:  # the first participant with a set-up warms it up, the others wait
                snap = self.snapshots.get(key)
                if snap is None:
                    w = Worker(kwargs)
                    self.snapshots[key] = w.call("snapshot")
                    return w
        return Worker(dict(kwargs, snapshot=snap))

    def prewarm(self, kwargs: dict) -> None:
        """Warm up ``kwargs``'s set-up now, before anyone joins (no place taken).

        The server does it for the page's first set-up as it starts, so the room's first
        participant starts from the snapshot like every other one; a participant who
        joins meanwhile waits for this warm-up instead of doing it.
        """
        key, gate = self._gate(kwargs)
        with gate:
            if key in self.snapshots:
                return
            w = Worker(kwargs)
            try:
                self.snapshots[key] = w.call("snapshot")
            finally:
                w.stop()

    def reset(self, session: str, kwargs: dict) -> Worker:
        """Start the session again with a new set-up (scenario, seed, sliders)."""
        self.release(session)
        return self.join(session, kwargs)

    def release(self, session: str) -> None:
        """Stop the session's worker (its participant left)."""
        with self._lock:
            w = self.workers.pop(session, None)
        if w is not None:
            w.stop()

    def close(self) -> None:
        """Stop every worker."""
        for s in list(self.workers):
            self.release(s)
