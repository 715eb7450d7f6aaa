"""A large scan's files shared between this process and forked copies of it, each claiming the next file.

The workers are forked once everything the scan shares is built (rules, detector, prefilter, Hyperscan database),
so they start scanning at once with nothing to rebuild or be sent: no task crosses a process boundary, only the
index of the next file, kept in a pipe as one 8-byte token that each process takes and puts back one higher.
This process scans files too, one worker fewer: its share's results are never pickled, and there is no pool
manager, feeder or result thread competing for the GIL and the cores with the scan (concurrent.futures' threads,
its per-task pickling of the settings and its unpickling cost the dense tree's main process about half of its
CPU, all of it taken from the two workers on a 2-core machine).

A worker sends each result as soon as it is done, as a length and a pickle, on a pipe of its own; it never waits
for this process to read them (a result that does not fit in the pipe stays in the worker's buffer until it
does), and this process reads whatever has arrived after each file of its own. Only where ``os.fork`` is safe to
use without ``exec`` (Linux); elsewhere the engine uses ``concurrent.futures``.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import pickle
import signal

from keylint import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any, NoReturn

_LENGTH = 8  # bytes of a record's length, and of the counter's token


class _Counter:
    """The position of the next task, shared by forked processes: a token in a pipe, taken and put back one higher.

    Only one token exists, and each process holds it only between its read and its write (no code that can fail
    in between), so the pipe doubles as the lock; a read or write of 8 bytes is atomic on a pipe."""

    __slots__ = ("_read", "_write", "end")

    def __init__(self, end: int) -> None:
        self.end = end
        self._read, self._write = os.pipe()
        os.write(self._write, (0).to_bytes(_LENGTH, "little"))

    def claim(self) -> int | None:
        """The next task's position, or None when every task is taken."""
        position = int.from_bytes(os.read(self._read, _LENGTH), "little")
        taken = position < self.end
        os.write(self._write, (position + taken).to_bytes(_LENGTH, "little"))
        return position if taken else None

    def close(self) -> None:
        os.close(self._read)
        os.close(self._write)


class _Inbox:
    """A worker's results as this process receives them: what has arrived, cut into records."""

    __slots__ = ("buffer", "fd", "open", "pid")

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self.fd = fd
        self.buffer = bytearray()
        self.open = True
        os.set_blocking(fd, False)

    def take(self) -> list[tuple[int, bool, Any]]:
        """The records that have arrived whole, without waiting for more."""
        while True:
            try:
                data = os.read(self.fd, _CHUNK)
            except BlockingIOError:
                break
            if not data:
                self.open = False
                break
            self.buffer += data
        buffer, records, start = self.buffer, [], 0
        while len(buffer) - start >= _LENGTH:
            end = start + _LENGTH + int.from_bytes(buffer[start : start + _LENGTH], "little")
            if end > len(buffer):
                break
            batch = io.BytesIO(buffer[start + _LENGTH : end])
            unpickler = pickle.Unpickler(batch)  # one for the batch: objects pickled once are referred to after
            while batch.tell() < end - start - _LENGTH:
                records.append(unpickler.load())
            start = end
        del buffer[:start]
        return records


_CHUNK = 1024 * 1024  # read from a worker's pipe at a time, as much as it holds
_BATCH = 64 * 1024  # pickled results a worker sends at a time


def _enlarged(fd: int) -> None:
    """A worker's pipe as large as the system lets an unprivileged process make it (1 MB as a rule): a dense tree's
    file's results are ~10 KB, and a worker writes them without waiting only while they fit."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _CHUNK)
    except (ImportError, AttributeError, OSError):  # not Linux, or a lower limit: the default size works too
        pass


def run(order: list[int], work: Callable[[int], Any], workers: int) -> Iterator[tuple[int, Any]]:
    """``(i, work(i))`` for every ``i`` of ``order``, as they are done, by this process and ``workers`` forked ones.

    Each process takes the next ``i`` in ``order`` when it is free. An exception ``work`` raises in a worker is
    raised here when its record arrives; a worker that ends without sending its results is a RuntimeError."""
    counter = _Counter(len(order))
    inboxes: list[_Inbox] = []
    finished = False
    # Everything built so far lives to the end of the scan: frozen, the collector's passes in this process and in
    # the workers never walk it (nor write to the workers' shared copies of it, which would copy their pages).
    # The dense tree's scan made 5 passes of ~15 ms over both processes before, 3 after. Unfrozen at the end,
    # for a program that scans more than once (unless it froze objects of its own: they stay frozen).
    unfreeze = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        for _ in range(workers):
            read, write = os.pipe()
            _enlarged(read)
            pid = os.fork()
            if pid == 0:  # the worker: never returns into the caller's frames
                try:
                    os.close(read)
                    for inbox in inboxes:
                        os.close(inbox.fd)
                finally:
                    _serve(counter, order, work, write)
            os.close(write)
            inboxes.append(_Inbox(pid, read))
        done = 0
        while (position := counter.claim()) is not None:
            i = order[position]
            yield i, work(i)
            done += 1
            for inbox in inboxes:
                for record in inbox.take():
                    yield _received(record)
                    done += 1
        waiting = [inbox for inbox in inboxes if inbox.open]
        if waiting:
            import select

            poller = select.poll()
            for inbox in waiting:
                poller.register(inbox.fd, select.POLLIN)
            while waiting:
                poller.poll()
                for inbox in waiting:
                    for record in inbox.take():
                        yield _received(record)
                        done += 1
                    if not inbox.open:
                        poller.unregister(inbox.fd)
                waiting = [inbox for inbox in waiting if inbox.open]
        finished = True
    finally:
        counter.close()
        for inbox in inboxes:
            os.close(inbox.fd)
            if not finished:  # interrupted, or a worker's exception raised: the others stop too
                with contextlib.suppress(ProcessLookupError):
                    os.kill(inbox.pid, signal.SIGKILL)
        statuses = [os.waitpid(inbox.pid, 0)[1] for inbox in inboxes]
        if unfreeze:
            gc.unfreeze()
    if done != len(order) or any(statuses):
        raise RuntimeError(f"a worker process of the scan ended before sending its results (status {max(statuses)})")


def _received(record: tuple[int, bool, Any]) -> tuple[int, Any]:
    i, ok, value = record
    if not ok:
        raise value
    return i, value


def _serve(counter: _Counter, order: list[int], work: Callable[[int], Any], fd: int) -> NoReturn:
    """A worker's life: ``work`` the tasks it claims, sending each result as it is done, then exit."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C interrupts the main process, which ends the workers
        os.set_blocking(fd, False)
        pending = bytearray()
        batch = io.BytesIO()
        # One pickler for a batch of results: what they share (classes, enums, a file's path) is pickled once.
        pickler = pickle.Pickler(batch, protocol=pickle.HIGHEST_PROTOCOL)
        while (position := counter.claim()) is not None:
            i = order[position]
            try:
                record = (i, True, work(i))
            except Exception as error:  # keylint.crash.FileCrash under --debug: raised by the main process
                record = (i, False, error)
            pickler.dump(record)
            if batch.tell() < _BATCH and record[1]:
                continue
            pending += batch.tell().to_bytes(_LENGTH, "little")
            pending += batch.getbuffer()
            batch.seek(0)
            batch.truncate()
            pickler.clear_memo()
            with contextlib.suppress(BlockingIOError):  # the pipe is full: sent after the next batch, or at the end
                del pending[: os.write(fd, pending)]
            if not record[1]:
                break
        if batch.tell():
            pending += batch.tell().to_bytes(_LENGTH, "little")
            pending += batch.getbuffer()
        os.set_blocking(fd, True)
        while pending:
            del pending[: os.write(fd, pending)]
        status = 0
    finally:
        os._exit(status)
