"""keylint.pool: a scan's files shared by this process and forked workers, each claiming the next one."""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from pathlib import Path

import pytest

from keylint import pool

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")


class Failed(Exception):
    """Raised in a worker, pickled to the main process."""


def _wait_for(condition, what: str) -> None:
    """A bound on a wait that only a broken pool could make endless (not a measure of speed)."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.005)


def _results(order: list[int], work, workers: int) -> list[tuple[int, object]]:
    return list(pool.run(order, work, workers))


@pytest.mark.parametrize("workers", [0, 1, 3])
@pytest.mark.parametrize("count", [0, 1, 2, 7, 300])
def test_every_task_is_done_once_and_comes_back_with_its_index(workers, count):
    """Each index of ``order`` is worked on by exactly one process, and its result arrives with it."""
    order = random.Random(count).sample(range(count), count)
    results = _results(order, lambda i: (i, i * i, "é" * (i % 5), os.getpid()), workers)
    assert sorted(i for i, _ in results) == sorted(order)
    assert all(value[:3] == (i, i * i, "é" * (i % 5)) for i, value in results)


def test_the_main_process_and_the_workers_share_the_tasks(tmp_path):
    """The main process holds its first task until the workers have done all others: their results reach it
    whole, however much of them waits in a worker (here ~6 MB, several times a pipe's size)."""
    main = os.getpid()
    order = list(range(40))

    def work(i: int) -> tuple[int, bytes]:
        if os.getpid() == main:
            _wait_for(lambda: len(os.listdir(tmp_path)) == len(order) - 1, "the workers' tasks")
        else:
            (tmp_path / str(i)).touch()
        return os.getpid(), random.Random(i).randbytes(150_000)

    results = _results(order, work, 2)
    assert sorted(i for i, _ in results) == order
    assert all(data == random.Random(i).randbytes(150_000) for i, (_, data) in results)
    by = {pid for _, (pid, _) in results}
    assert main in by and len(by) >= 2
    assert [pid for _, (pid, _) in results].count(main) == 1


@pytest.fixture
def forked(monkeypatch) -> list[int]:
    """The pids of the workers a test's pool forks."""
    pids: list[int] = []
    fork = os.fork

    def recorded() -> int:
        pid = fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recorded)
    return pids


def _assert_reaped(pids: list[int]) -> None:
    assert pids
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_an_exception_in_a_worker_is_raised_by_the_main_process(tmp_path, forked):
    main = os.getpid()

    def work(i: int) -> int:
        if os.getpid() == main:  # holds its task until a worker has failed
            _wait_for(lambda: (tmp_path / "failed").exists(), "a worker's failure")
            return i
        (tmp_path / "failed").touch()
        raise Failed(f"task {i}")

    with pytest.raises(Failed, match="task"):
        _results(list(range(5)), work, 1)
    _assert_reaped(forked)


def test_a_worker_that_dies_is_an_error_not_a_missing_result(tmp_path, forked):
    main = os.getpid()

    def work(i: int) -> int:
        if os.getpid() == main:
            _wait_for(lambda: (tmp_path / "died").exists(), "a worker to die")
        else:
            (tmp_path / "died").touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return i

    with pytest.raises(RuntimeError, match="ended before sending its results"):
        _results(list(range(3)), work, 1)
    _assert_reaped(forked)


def test_workers_end_with_the_main_process_when_it_stops_early(forked):
    """The caller leaving (an error in the report, Ctrl-C) stops the workers and reaps them."""
    results = pool.run(list(range(1000)), lambda i: time.sleep(0.001) or i, 2)
    next(results)
    results.close()
    assert len(forked) == 2
    _assert_reaped(forked)


def test_records_are_cut_from_the_stream_wherever_reads_end():
    """A worker's batches arrive in reads of any size: the inbox makes records only of whole batches."""
    import io
    import pickle

    records = [(i, True, ("x" * random.Random(i).randrange(0, 3000), i)) for i in range(200)]
    stream = bytearray()
    for start in range(0, len(records), 7):
        batch = io.BytesIO()
        pickler = pickle.Pickler(batch, protocol=pickle.HIGHEST_PROTOCOL)
        for record in records[start : start + 7]:
            pickler.dump(record)
        stream += batch.tell().to_bytes(8, "little") + batch.getvalue()
    pieces = random.Random(3)
    read, write = os.pipe()
    inbox = pool._Inbox(0, read)
    got = []
    try:
        position = 0
        while position < len(stream):
            step = pieces.choice([1, 5, 8, 9, 100, 4096, 60000])
            os.write(write, stream[position : position + step])
            position += step
            got += inbox.take()
    finally:
        os.close(write)
        os.close(read)
    assert got == records


def test_the_counter_gives_each_position_once_across_processes():
    counter = pool._Counter(5000)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            taken = []
            while (position := counter.claim()) is not None:
                taken.append(position)
            os.write(write, repr(taken).encode() + b"\n")
        finally:
            os._exit(0)
    os.close(write)
    mine = []
    while (position := counter.claim()) is not None:
        mine.append(position)
    with os.fdopen(read) as other:
        theirs = [int(n) for n in other.read().strip("[]\n").split(",")]
    os.waitpid(pid, 0)
    counter.close()
    assert sorted(mine + theirs) == list(range(5000))


def test_a_scan_in_forked_workers_equals_one_through_concurrent_futures_and_a_serial_one(tmp_path, monkeypatch):
    """The engine's two parallel ways (forked workers sharing the files with this process; concurrent.futures
    where there is no fork) and the serial scan: the same findings, notices and summaries."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import workloads

    from keylint import engine
    from keylint.config import Settings

    workloads.tree(tmp_path / "tree", 0.3, secret_every=20, seed=5, crd_share=0.2)
    (tmp_path / "tree" / "broken.json").write_bytes(b'{"token": "\xff\xfe"')

    def scan(jobs: int) -> tuple[object, ...]:
        report = engine.run_scan([str(tmp_path / "tree")], Settings(jobs=jobs).with_options(git=False))
        return (
            report.findings,
            [(n.path, n.message, n.kind) for n in report.notices],
            [(s.path, s.secrets, s.keys) for s in report.files],
            report.files_scanned,
        )

    serial = scan(1)
    assert len(serial[0]) > 20
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD_BYTES", 0)
    for jobs in (2, 3):
        assert scan(jobs) == serial, jobs
    monkeypatch.setattr(engine, "FORK", False)
    assert scan(2) == serial


def test_what_exists_before_the_fork_is_frozen_during_the_scan_and_unfrozen_after():
    """The collector skips the scan's shared state in every process while it runs (gc.freeze before forking), and
    a program that scans twice gets its objects back under the collector afterwards."""
    import gc

    assert gc.get_freeze_count() == 0
    frozen_during = _results([0, 1, 2], lambda i: gc.get_freeze_count() > 0, 1)
    assert all(frozen for _, frozen in frozen_during)
    assert gc.get_freeze_count() == 0


def test_a_program_that_froze_its_own_objects_keeps_them_frozen():
    import gc

    gc.freeze()
    try:
        before = gc.get_freeze_count()
        assert sorted(_results([0, 1], lambda i: i, 1)) == [(0, 0), (1, 1)]
        assert gc.get_freeze_count() >= before > 0
    finally:
        gc.unfreeze()
