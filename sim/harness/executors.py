"""Where runs execute: in-process, a local process pool, or a Dask cluster.

Harness code talks to a ``concurrent.futures.Executor`` and nothing else.
:func:`open_executor` picks one: serial for ``workers=1``, a forkserver process pool by
default, or ``distributed.Client(addr).get_executor()`` when a scheduler address is
given (the optional extra ``xborder[distributed]``, imported only then).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass


class HarnessError(ValueError):
    """Bad input to the harness: one line naming the option or file, the key and the problem."""


class StudyStopped(RuntimeError):
    """The executor failed (a worker died, the scheduler went away): not a run's own error."""


def keep_freed_heap(mib: int = 64) -> None:
    """Ask glibc malloc to keep ``mib`` MiB of freed heap at the top (``M_TOP_PAD``).

    A tick allocates a few dozen temporaries of one element per shipment; by default
    glibc returns that memory to the OS and page-faults it back in on the next tick
    (about 3,000 faults and 7 ms a tick at 100k shipments). Called explicitly where
    studies run (every pool worker, the serial executor's process, each Dask worker)
    and by the benchmark; importing the model tunes nothing. A no-op off glibc.
    """
    import ctypes
    import ctypes.util

    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt(-2, mib << 20)
    except (OSError, AttributeError):
        pass


def default_workers() -> int:
    """Worker processes by default: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


class SerialExecutor(Executor):
    """Runs each task in this process when it is submitted; for ``--workers 1``.

    A run's KeyboardInterrupt is not stored in the future: it propagates at once.
    """

    def submit(self, fn, /, *args, **kwargs) -> Future:  # noqa: D102
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as e:  # an infrastructure error surfaces at .result()
            fut.set_exception(e)
        return fut


def _mp_context():
    """Forkserver with the model preloaded: safe with threads, and workers start fast."""
    import multiprocessing as mp

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["sim.model", "sim.harness.runner"])
    return ctx


def warm_start(workers: int | None = None, scheduler: str | None = None) -> None:
    """Start the forkserver now if a local pool will be used.

    It imports the model while the caller is still busy with its own imports, which
    takes about a second off a study's start.
    """
    if scheduler or (workers or default_workers()) <= 1:
        return
    from multiprocessing import forkserver

    _mp_context()
    forkserver.ensure_running()


@dataclass
class Pool:
    """An open executor and how many tasks it runs at once.

    Attributes:
        executor: the Executor tasks are submitted to.
        slots: tasks it runs concurrently (worker processes or Dask threads).
        kind: "serial", "processes", "dask" or "given".
    """

    executor: Executor
    slots: int
    kind: str


def _probe(address: str) -> None:
    """Fail fast, with a one-line error, when nothing listens at a tcp:// address."""
    import socket
    from urllib.parse import urlsplit

    u = urlsplit(address)
    if u.scheme != "tcp":
        return  # other protocols (tls, ucx, inproc): let distributed try
    try:
        port = u.port
    except ValueError:
        port = None
    if not u.hostname or port is None:
        raise HarnessError(f"--scheduler: expected tcp://HOST:PORT, got {address!r}")
    try:
        socket.create_connection((u.hostname, port), timeout=5).close()
    except OSError as e:
        raise HarnessError(
            f"--scheduler: cannot connect to {address} ({e.strerror or type(e).__name__})"
        ) from None


def _dask_pool(address: str) -> Iterator[Pool]:
    try:
        from distributed import Client
    except ImportError:
        raise HarnessError(
            "--scheduler: dask distributed is not installed (pip install 'xborder[distributed]')"
        ) from None
    if "://" not in address:
        address = f"tcp://{address}"
    _probe(address)
    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise HarnessError(f"--scheduler: cannot connect to {address} ({msg})") from None
    try:
        try:
            client.wait_for_workers(1, timeout=30)
        except TimeoutError:
            raise HarnessError(f"--scheduler: {address} has no workers") from None
        slots = max(1, sum(client.nthreads().values()))
        client.run(keep_freed_heap)
        yield Pool(client.get_executor(pure=False), slots, "dask")
    finally:
        client.close()


@contextmanager
def open_executor(
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    tasks: int | None = None,
) -> Iterator[Pool]:
    """Open the executor a study runs on, and close it afterwards.

    Args:
        workers: processes of the local pool (default: available cores; 1: serial).
        scheduler: a Dask scheduler address, ``tcp://HOST:PORT``; wins over ``workers``.
        executor: an Executor the caller manages (reused across studies, never closed).
        tasks: how many tasks the study has (no more processes than that are started).
    """
    if executor is not None:
        slots = getattr(executor, "_max_workers", None) or default_workers()
        yield Pool(executor, int(slots), "given")
        return
    if scheduler:
        yield from _dask_pool(scheduler)
        return
    n = workers or default_workers()
    if tasks is not None:
        n = min(n, max(tasks, 1))
    if n <= 1:
        keep_freed_heap()
        yield Pool(SerialExecutor(), 1, "serial")
        return
    pool = ProcessPoolExecutor(max_workers=n, mp_context=_mp_context(), initializer=keep_freed_heap)
    try:
        yield Pool(pool, n, "processes")
    except BaseException:
        # interrupted or failed: drop queued tasks, let running ones end on their own
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    else:
        pool.shutdown(wait=True)
