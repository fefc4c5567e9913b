"""A pool of verifier worker processes with a hard time limit per check.

Each worker owns one pipe. The parent hands an idle worker a chunk of checks (to amortise IPC);
the worker runs them in order and sends each result as soon as it is done, so the parent always
knows which check is running and since when: a check's clock starts when the previous result of
its chunk arrives. A check that outlives `timeout_s` gets its worker killed (SIGKILL) and replaced;
it scores 0 and counts as a timeout, and the rest of its chunk goes back to the queue. A worker
that dies (segfault, os._exit) costs only the check it was running (score 0, error recorded).
An exception inside a verifier is caught in the worker: score 0, the error in the details.

Workers start from a "forkserver" (a clean single-threaded process, so nothing of the parent's
threads or locks is inherited; the parent's `__main__` is not re-imported either), import the
plugin modules, then say "ready". Inside a worker the
verifier runs in the main thread, so signal-based limits (math-verify's) work there too.
`workers=0` runs every check in-process, in order, with no time limit (for debugging).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import traceback
import types
import weakref
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any, Mapping

from verifiers import _BUILTIN_MODULES as BUILTIN_MODULES
from verifiers import as_verdict, get_verifier, import_plugins, load_builtins

START_TIMEOUT_S = 120.0   # a worker that is not ready by then (stuck import) is an error
MAX_CHUNK = 32
_MAIN_LOCK = threading.Lock()


@dataclass
class Check:
    spec: str                      # verifier name or "pkg.module:function"
    sample: Mapping[str, Any]
    solution: str


@dataclass
class CheckResult:
    score: float | None            # None: not applicable
    details: dict = field(default_factory=dict)
    elapsed_s: float = 0.0
    timed_out: bool = False
    error: str | None = None


class PoolError(RuntimeError):
    """The pool cannot run (a worker failed to start)."""


def run_check(check: Check, cache: dict) -> CheckResult:
    """Run one check in this process; any exception scores 0 with the error recorded."""
    start = time.perf_counter()
    try:
        fn = cache.get(check.spec)
        if fn is None:
            fn = cache[check.spec] = get_verifier(check.spec)
        verdict = as_verdict(fn(check.sample, check.solution))
        elapsed = time.perf_counter() - start
        if verdict is None:
            return CheckResult(None, {}, elapsed)
        return CheckResult(float(verdict.score), dict(verdict.details), elapsed)
    except Exception as e:  # noqa: BLE001 - a verifier must never crash the run
        error = f"{type(e).__name__}: {e}"
        last = traceback.extract_tb(e.__traceback__)[-1:]
        where = f" ({os.path.basename(last[0].filename)}:{last[0].lineno})" if last else ""
        return CheckResult(0.0, {"error": error + where}, time.perf_counter() - start, error=error)


def worker_main(conn, plugins: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
    try:
        load_builtins()
        import_plugins(plugins)
    except BaseException as e:  # noqa: BLE001 - report, then exit
        conn.send(("failed", f"{type(e).__name__}: {e}"))
        return
    conn.send(("ready", None))
    cache: dict = {}
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        for index, check in chunk:
            conn.send((index, run_check(check, cache)))


@contextmanager
def without_main_module():
    """Start a worker without the parent's `__main__`: multiprocessing would import it again in
    every worker (a training script with all its imports, or an unguarded script that would start
    workers again). Workers need only this module; the swap lasts while the process is launched."""
    with _MAIN_LOCK:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            sys.modules["__main__"] = main


class Worker:
    def __init__(self, ctx, plugins: list[str]):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=worker_main, args=(child, plugins), daemon=True)
        with without_main_module():
            self.proc.start()
        child.close()
        self.born = time.monotonic()
        self.ready = False
        self.todo: deque = deque()   # (index, check) of the chunk in flight; todo[0] is running
        self.started = 0.0           # when todo[0] started (parent clock)

    def stop(self, kill: bool = False) -> None:
        if self.proc.is_alive() and not kill:
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.proc.join(2.0)
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.conn.close()
        self.proc.close()


class VerifierPool:
    """`run(checks) -> results` in order; `close()` (or use as a context manager) ends the workers."""

    def __init__(self, workers: int, timeout_s: float, plugins: list[str] | tuple = (),
                 chunk_size: int | None = None):
        self.n_workers, self.timeout_s = workers, timeout_s
        self.plugins, self.chunk_size = list(plugins), chunk_size
        self.workers: list[Worker] = []
        self.restarts = 0
        self._cache: dict = {}
        if workers > 0:
            self.ctx = mp.get_context("forkserver")
            # heavy imports (sympy) once in the forkserver, so a replaced worker starts in ms;
            # a module that fails to import is skipped there (the worker reports it instead)
            self.ctx.set_forkserver_preload(["verifiers", *BUILTIN_MODULES, "verifiers.warm"])
            self.workers = [Worker(self.ctx, self.plugins) for _ in range(workers)]
        self._finalizer = weakref.finalize(self, _stop_all, self.workers)

    def __enter__(self) -> "VerifierPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._finalizer()

    def pids(self) -> list[int]:
        return [w.proc.pid for w in self.workers]

    def run(self, checks: list[Check]) -> list[CheckResult]:
        if self.n_workers == 0:
            return [run_check(c, self._cache) for c in checks]
        if not self._finalizer.alive:
            raise PoolError("the verifier pool is closed")
        results: list[CheckResult | None] = [None] * len(checks)
        queue = deque(enumerate(checks))
        chunk = self.chunk_size or max(1, min(MAX_CHUNK, len(checks) // (4 * self.n_workers)))
        left = len(checks)
        try:
            while left:
                self._dispatch(queue, chunk)
                wait([w.conn for w in self.workers] + [w.proc.sentinel for w in self.workers],
                     timeout=self._wait_s())
                for i, w in enumerate(self.workers):
                    left -= self._drain(w, results)
                    failure = self._failure(w)
                    if failure is not None:
                        left -= self._replace(i, failure, queue, results)
        except BaseException:
            self.close()   # workers may hold half-done chunks: never reuse them
            raise
        return results  # type: ignore[return-value]

    def _dispatch(self, queue: deque, chunk: int) -> None:
        for w in self.workers:
            if w.ready and not w.todo and queue:
                w.todo.extend(queue.popleft() for _ in range(min(chunk, len(queue))))
                w.started = time.monotonic()
                try:
                    w.conn.send(list(w.todo))
                except OSError:   # it died between chunks: nothing of this chunk ran
                    queue.extendleft(reversed(w.todo))
                    w.todo.clear()

    def _replace(self, i: int, failure: tuple[bool, str], queue: deque, results: list) -> int:
        """Charge the running check (if any) with `failure`, requeue the rest, start a new worker."""
        w, (timed_out, error), charged = self.workers[i], failure, 0
        if w.todo:
            index, _ = w.todo.popleft()
            results[index] = CheckResult(0.0, {"error": error}, time.monotonic() - w.started,
                                         timed_out, None if timed_out else error)
            charged = 1
            queue.extendleft(reversed(w.todo))
            w.todo.clear()
        w.stop(kill=True)
        self.workers[i] = Worker(self.ctx, self.plugins)
        self.restarts += 1
        return charged

    def _drain(self, w: Worker, results: list) -> int:
        """Read every message waiting on `w`'s pipe; return the number of finished checks."""
        done = 0
        try:
            while w.conn.poll():
                tag, payload = w.conn.recv()
                if tag == "ready":
                    w.ready = True
                elif tag == "failed":
                    raise PoolError(f"a verifier worker failed to start: {payload}")
                else:
                    index, _ = w.todo.popleft()
                    results[index] = payload
                    w.started = time.monotonic()
                    done += 1
        except (EOFError, OSError):
            pass  # the worker died; _failure sees it
        return done

    def _failure(self, w: Worker) -> tuple[bool, str] | None:
        """(timed_out, message) when `w` must be replaced, else None."""
        now = time.monotonic()
        if not w.proc.is_alive():
            if not w.ready:
                raise PoolError(f"a verifier worker died while starting (exit code {w.proc.exitcode})")
            return False, f"verifier worker died (exit code {w.proc.exitcode})"
        if w.todo and now - w.started > self.timeout_s:
            return True, f"timeout: check took over {self.timeout_s:g} s"
        if not w.ready and now - w.born > START_TIMEOUT_S:
            raise PoolError(f"a verifier worker did not start within {START_TIMEOUT_S:g} s")
        return None

    def _wait_s(self) -> float:
        deadlines = [w.started + self.timeout_s for w in self.workers if w.todo]
        deadlines += [w.born + START_TIMEOUT_S for w in self.workers if not w.ready]
        return max(0.0, min(deadlines) - time.monotonic()) + 0.001 if deadlines else 1.0


def _stop_all(workers: list[Worker]) -> None:
    for w in workers:
        try:
            if w.todo:
                w.stop(kill=True)   # busy: do not wait for its chunk
            else:
                w.stop()
        except ValueError:
            pass  # already closed
