"""Git awareness through the ``git`` command: file states, staged blobs, blame.

Scanned repositories are untrusted: a ``.git/config`` can name programs that git
would run (an fsmonitor hook, an external diff, a textconv or clean filter, a pager,
a gpg program). Every call here goes through :func:`run` / :func:`popen`, which
switch those off on the command line (command-line ``-c`` wins over repository
config), drop inherited ``GIT_*`` variables that could point git elsewhere, and
never touch the working tree's content through git (blame reads a commit, staged
content is read as blobs), so no filter can run.

States are computed in a few batched calls per repository and scan (``ls-files``,
``diff --cached``, ``check-ignore --stdin``, run concurrently), never one process
per file. Outside a repository, or without git installed, files simply have no
state; a repository git refuses to read (``safe.directory``) yields a notice.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from keylint import TYPE_CHECKING
from keylint.config import ConfigError, Settings, path_matches
from keylint.discover import Target, display_path
from keylint.model import Notice
from keylint.parsers import format_for, matches_any
from keylint.records import dataclass, replace

if TYPE_CHECKING:
    import subprocess

# Command-line config that overrides anything a repository's own config could make git execute.
SAFE_CONFIG = (
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "core.quotePath=false",
    "core.untrackedCache=false",
    "diff.external=",
    "log.showSignature=false",
    "blame.ignoreRevsFile=",
    "color.ui=never",
    "i18n.logOutputEncoding=UTF-8",
)
# Inherited variables worth keeping; every other GIT_* could redirect git to another repository or index.
_KEEP_ENV = frozenset({"GIT_EXEC_PATH"})

TRACKED, STAGED, IGNORED, UNTRACKED = "tracked", "staged", "ignored", "untracked"
# Above this many files, list the whole index once instead of passing every path as an argument.
_PATHSPEC_LIMIT = 100


class GitError(ConfigError):
    """git failed; the message is one line for the user (exit code 2 where git is required)."""


class GitStuck(GitError):
    """git did not answer: something in the repository's configuration makes it wait forever."""


class GitUnsafe(GitError):
    """git refused the repository because another user owns it (``safe.directory``)."""


@dataclass(frozen=True, slots=True)
class GitState:
    state: str  # tracked | staged | ignored | untracked
    root: str  # the repository's top-level directory
    relpath: str  # the file's path inside the repository, with "/" separators

    def __str__(self) -> str:
        return self.state


@lru_cache(maxsize=1)
def git_executable() -> str | None:
    if os.name != "posix":
        import shutil

        return shutil.which("git")
    # shutil.which's search, without importing shutil (and bz2, lzma ...: a few ms of every run)
    path = os.environ.get("PATH")
    if path is None:
        path = os.confstr("CS_PATH") or os.defpath
    for folder in path.split(os.pathsep) if path else ():
        candidate = os.path.join(folder, "git")
        if os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
            return candidate
    return None


def _env(root: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEEP_ENV}
    index = os.environ.get("GIT_INDEX_FILE")
    if index:
        # A hook of `git commit -a` / `git commit PATH` sees a temporary index: what will really be committed.
        cwd = os.getcwd()
        if _within(cwd, root):
            env["GIT_INDEX_FILE"] = os.path.join(cwd, index)
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_ATTR_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
        GIT_NO_REPLACE_OBJECTS="1",
        GIT_PAGER="cat",
        PAGER="cat",
        LC_ALL="C",  # English messages, so a safe.directory refusal can be recognised
    )
    return env


def _within(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([os.path.abspath(path), os.path.abspath(root)]) == os.path.abspath(root)
    except ValueError:
        return False


def command(root: str, args: list[str], probe: bool = True) -> list[str]:
    """The argv of a safe git call in ``root``; ``probe=False`` when the caller bounds the call's time itself."""
    git = git_executable()
    if git is None:
        raise GitError("git is not installed (or not on PATH)")
    argv = [git, "-C", root]
    for setting in SAFE_CONFIG:
        argv += ["-c", setting]
    if probe:
        _probe(root, argv)
    return argv + args


# git reads the repository's config, and every file it includes, before anything else: a config that
# includes a FIFO or a device (`[include] path = /some/fifo`) makes every git command wait forever.
# One quick command per repository and run, with a timeout, finds out before any real one is started.
PROBE_TIMEOUT = 10.0
_PROBED: dict[str, GitError | None] = {}


def _probe(root: str, argv: list[str]) -> None:
    if root not in _PROBED:
        import subprocess

        try:
            subprocess.run(
                [*argv, "rev-parse", "--git-dir"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=_env(root),
                timeout=PROBE_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            _PROBED[root] = _stuck(root)
        except OSError:
            pass  # the real command reports it
        _PROBED.setdefault(root, None)
    failure = _PROBED[root]
    if failure is not None:
        raise failure


def _stuck(root: str) -> GitStuck:
    return GitStuck(
        f"{root}: git did not answer within {PROBE_TIMEOUT:g}s (does the repository's configuration "
        "include a pipe or a device?)"
    )


def _failure(root: str, args: list[str], code: int, stderr: bytes) -> GitError:
    text = stderr.decode("utf-8", "replace").strip()
    if "dubious ownership" in text or "unsafe repository" in text:
        return GitUnsafe(
            f"{root}: git refuses to read this repository because another user owns it; "
            f"if you trust it, run `git config --global --add safe.directory {root}`"
        )
    first = next((line for line in text.splitlines() if line.strip()), f"exit status {code}")
    return GitError(f"{root}: git {args[0]} failed: {first.removeprefix('fatal: ')}")


def run(root: str, args: list[str], stdin: bytes | None = None, ok_codes: tuple[int, ...] = (0,)) -> bytes:
    """Run git in ``root`` and return its standard output (GitError on failure)."""
    import subprocess

    try:
        proc = subprocess.run(
            command(root, args),
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            env=_env(root),
            check=False,
        )
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror or error}") from None
    if proc.returncode not in ok_codes:
        raise _failure(root, args, proc.returncode, proc.stderr)
    return proc.stdout


def popen(root: str, args: list[str], stdin_pipe: bool = False, probe: bool = True) -> subprocess.Popen[bytes]:
    """git in ``root``, its output and errors through pipes; its input a pipe too, or nothing."""
    import subprocess

    try:
        return subprocess.Popen(
            command(root, args, probe),
            stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(root),
        )
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror or error}") from None


def finish(proc: subprocess.Popen[bytes], root: str, args: list[str], ok_codes: tuple[int, ...] = (0,)) -> None:
    """Wait for a streamed git process and raise GitError when it failed."""
    stderr = proc.stderr.read() if proc.stderr else b""
    code = proc.wait()
    if code not in ok_codes:
        raise _failure(root, args, code, stderr)


_ROOTS: dict[str, str | None] = {}


def find_root(path: str) -> str | None:
    """The top-level directory of the repository holding ``path`` (a `.git` directory or file), or None.

    Found by looking for ``.git`` upward, cached per directory, so a scan of many files costs no process.
    """
    directory = os.path.abspath(path)
    if not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    return _root_above(directory)


def _root_above(directory: str) -> str | None:
    """find_root of an absolute, normalised directory."""
    visited: list[str] = []
    found: str | None = None
    while True:
        if directory in _ROOTS:
            found = _ROOTS[directory]
            break
        visited.append(directory)
        if os.path.exists(os.path.join(directory, ".git")):
            found = directory
            break
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    for seen in visited:
        _ROOTS[seen] = found
    return found


def relpath(path: str, root: str) -> str:
    return os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")


def _absolute(path: str, cwd: str | None) -> str:
    """os.path.abspath(path), given the current directory (abspath asks for it every time, a system call)."""
    if os.name == "posix" and cwd is not None:
        return os.path.normpath(os.path.join(cwd, path))
    return os.path.abspath(path)


def _relpath_below(absolute: str, root: str) -> str:
    """relpath(absolute, root) for an absolute, normalised path that the root was found above (by going up its
    directories): the path's tail, with no relpath (which asks for the current directory twice)."""
    return absolute[len(root) :].lstrip(os.sep).replace(os.sep, "/")


def _split_z(output: bytes) -> list[str]:
    return [os.fsdecode(item) for item in output.split(b"\0") if item]


def _pathspecs(paths: list[str]) -> list[str]:
    return ["--", *(":(literal)" + p for p in paths)] if len(paths) <= _PATHSPEC_LIMIT else []


# Input this small goes into check-ignore's pipe before it starts (every platform's pipe holds 4 KB
# without a reader), so git answers while the caller works; more is written as git reads it.
_PREFILLED_INPUT = 4096


def states(root: str, paths: list[str]) -> dict[str, str]:
    """State of each repository-relative path: staged, tracked, ignored or untracked."""
    return StateQuery(root, paths).result()


class StateQuery:
    """The git calls behind :func:`states`, started at once; :meth:`result` waits for their answers,
    so the caller can do other work while git runs."""

    def __init__(self, root: str, paths: list[str]) -> None:
        self.root = root
        self.paths = paths
        spec = _pathspecs(paths)
        self.calls = {
            "tracked": ["ls-files", "-z", "--cached", *spec],
            "staged": [
                *("diff", "--cached", "--name-only", "-z", "--no-renames", "--no-ext-diff", "--no-textconv"),
                *spec,
            ],
            # check-ignore never reports tracked files, so every path can go in at once.
            "ignored": ["check-ignore", "--stdin", "-z"],
        }
        # These three calls are the repository's probe themselves (a pre-commit run spares a process): they
        # only read, so when the repository's config makes git hang they are killed at the probe's deadline.
        stuck = _PROBED.get(root)
        if stuck is not None:
            raise stuck
        listed = b"".join(os.fsencode(p) + b"\0" for p in paths)
        env = _env(root)
        self.procs: dict[str, _Call] = {}
        try:
            for name, args in self.calls.items():
                self.procs[name] = _Call(command(root, args, probe=False), env, listed if name == "ignored" else b"")
        except BaseException:
            self.cancel()
            raise
        self.deadline = time.monotonic() + PROBE_TIMEOUT

    def cancel(self) -> None:
        for proc in self.procs.values():
            proc.cancel()

    def result(self) -> dict[str, str]:
        root = self.root
        answers = {}
        try:
            for name, proc in self.procs.items():
                answers[name] = proc.communicate(self.deadline)
        except _Timeout:
            _PROBED[root] = _stuck(root)
            raise _PROBED[root] from None
        finally:
            self.cancel()
        _PROBED.setdefault(root, None)
        outputs: dict[str, set[str]] = {}
        failure: GitError | None = None
        for name, proc in self.procs.items():
            out, err = answers[name]
            ok = (0, 1) if name == "ignored" else (0,)  # check-ignore: 1 means "nothing ignored"
            if proc.returncode not in ok:
                failure = failure or _failure(root, self.calls[name], proc.returncode, err)
            outputs[name] = set(_split_z(out))
        if failure:
            raise failure
        result = {}
        for path in self.paths:
            if path in outputs["staged"]:
                result[path] = STAGED
            elif path in outputs["tracked"]:
                result[path] = TRACKED
            elif path in outputs["ignored"]:
                result[path] = IGNORED
            else:
                result[path] = UNTRACKED
        return result


class _Timeout(Exception):
    """A git call of a StateQuery did not finish by its deadline."""


# Where this process's open descriptors are listed (Linux; macOS and the BSDs: /dev/fd). Without such a
# listing, git is started through subprocess.
_DESCRIPTORS = next((d for d in ("/proc/self/fd", "/dev/fd") if os.path.isdir(d)), None)


def inherited_descriptors() -> list[int]:
    """The descriptors above 2 that a child started with ``os.posix_spawn`` would inherit.

    keylint's own descriptors are never inheritable (Python opens them close-on-exec); these are those keylint
    inherited itself (a CI runner's or an editor's pipe). subprocess closes them in the child (``close_fds``),
    posix_spawn does not: git would hold them open while it runs, and a parent waiting for the pipe's end waits
    for git too."""
    found = []
    for name in os.listdir(_DESCRIPTORS or "/dev/fd"):
        descriptor = int(name)
        if descriptor > 2:
            try:
                if os.get_inheritable(descriptor):
                    found.append(descriptor)
            except OSError:  # the listing's own descriptor, closed once listed
                continue
    return found


class _Call:
    """One git call of a StateQuery: started at once, answered by :meth:`communicate`.

    Started with ``os.posix_spawn`` where there is one: importing subprocess (and with it threading, signal and
    selectors) cost a pre-commit run more than its three git calls; elsewhere through subprocess.
    """

    def __init__(self, argv: list[str], env: dict[str, str], data: bytes) -> None:
        self.returncode: int | None = None
        self.pending = data  # what git has yet to read
        self.proc: subprocess.Popen[bytes] | None = None
        self.pid = -1
        self.stdin = -1
        self.outputs: dict[int, list[bytes]] = {}  # read end of stdout, then stderr -> what came
        try:
            if not hasattr(os, "posix_spawn") or _DESCRIPTORS is None:
                import subprocess  # closes every descriptor but the three it is given (close_fds)

                pipe = subprocess.PIPE
                self.proc = subprocess.Popen(argv, stdin=pipe, stdout=pipe, stderr=pipe, env=env)
                return
            self._spawn(argv, env)
        except OSError as error:
            raise GitError(f"cannot run git: {error.strerror or error}") from None

    def _spawn(self, argv: list[str], env: dict[str, str]) -> None:
        ends = [*os.pipe(), *os.pipe(), *os.pipe()]  # (read, write) of stdin, stdout, stderr; not inherited
        stdin_read, self.stdin, stdout_read, stdout_write, stderr_read, stderr_write = ends
        try:
            # Input this small goes into the pipe before git starts (every platform's pipe holds 4 KB without a
            # reader), so git answers while the caller works; more is written as git reads it (communicate).
            if len(self.pending) <= _PREFILLED_INPUT:
                os.write(self.stdin, self.pending)
                self.pending = b""
                os.close(self.stdin)
                self.stdin = -1
            streams = ((stdin_read, 0), (stdout_write, 1), (stderr_write, 2))
            actions: list[tuple[int, ...]] = [(os.POSIX_SPAWN_DUP2, end, stream) for end, stream in streams]
            actions += [(os.POSIX_SPAWN_CLOSE, end) for end in inherited_descriptors()]
            self.pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
        except BaseException:
            for end in (self.stdin, stdout_read, stderr_read):
                if end != -1:
                    os.close(end)
            self.stdin = -1
            raise
        finally:
            for end in (stdin_read, stdout_write, stderr_write):  # git's ends
                os.close(end)
        self.outputs = {stdout_read: [], stderr_read: []}

    def communicate(self, deadline: float) -> tuple[bytes, bytes]:
        """git's output and errors once it has finished; _Timeout at ``deadline`` (a time.monotonic() value)."""
        if self.proc is not None:
            from subprocess import TimeoutExpired

            try:
                return self.proc.communicate(self.pending, timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutExpired:
                raise _Timeout from None
            finally:
                self.returncode = self.proc.returncode
        import select

        poller = select.poll()
        for end in self.outputs:
            poller.register(end, select.POLLIN)
        if self.stdin != -1:
            poller.register(self.stdin, select.POLLOUT)
        open_ends = len(self.outputs) + (self.stdin != -1)
        while open_ends:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Timeout
            for end, _event in poller.poll(left * 1000):
                if end == self.stdin:
                    try:  # at most PIPE_BUF bytes: the pipe has room for them when poll says it can be written
                        self.pending = self.pending[os.write(end, self.pending[: select.PIPE_BUF]) :]
                    except BrokenPipeError:  # git stopped reading: its exit status says why
                        self.pending = b""
                    if not self.pending:
                        poller.unregister(end)
                        os.close(end)
                        self.stdin = -1
                        open_ends -= 1
                else:
                    chunk = os.read(end, 1 << 16)
                    if chunk:
                        self.outputs[end].append(chunk)
                    else:
                        poller.unregister(end)
                        open_ends -= 1
        self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        out, err = (b"".join(chunks) for chunks in self.outputs.values())
        return out, err

    def cancel(self) -> None:
        """Stop git if it still runs and let go of its pipes."""
        if self.proc is not None:
            if self.proc.returncode is None:
                self.proc.kill()
                self.returncode = self.proc.wait()
            return
        if self.pid != -1 and self.returncode is None:
            import signal

            os.kill(self.pid, signal.SIGKILL)
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        for end in (self.stdin, *self.outputs):
            if end != -1:
                os.close(end)
        self.stdin = -1
        self.outputs = {}


def annotate(
    items: Iterable[Target | Notice], meanwhile: Callable[[], object] | None = None
) -> Iterator[Target | Notice]:
    """Give every target in a repository its git state; notices for repositories git cannot read.

    ``meanwhile`` is called once while git answers (work the scan needs anyway, on the other core).
    """
    pending = list(items)
    if git_executable() is None:
        yield from pending
        return
    by_root: dict[str, list[int]] = {}
    rel: dict[int, str] = {}
    try:
        cwd: str | None = os.getcwd()
    except OSError:  # removed: abspath fails as before for relative paths only
        cwd = None
    for index, item in enumerate(pending):
        if isinstance(item, Target) and item.git is None and item.data is None:
            # find_root and relpath, without a stat (a target is a file, never a directory) or a relpath each.
            absolute = _absolute(item.path, cwd)
            root = _root_above(os.path.dirname(absolute))
            if root is not None:
                by_root.setdefault(root, []).append(index)
                rel[index] = _relpath_below(absolute, root)
    started: dict[str, StateQuery | GitError] = {}
    for root, indexes in by_root.items():
        try:
            started[root] = StateQuery(root, sorted({rel[i] for i in indexes}))
        except GitError as error:
            started[root] = error
    if started and meanwhile is not None:
        try:
            meanwhile()
        except BaseException:
            for query in started.values():
                if isinstance(query, StateQuery):
                    query.cancel()
            raise
    for root, indexes in by_root.items():
        query = started[root]
        try:
            if isinstance(query, GitError):
                raise query
            found = query.result()
        except GitError as error:
            yield Notice(root, f"{error}; git state unknown, leak checks skipped for its files", "warning")
            continue
        for i in indexes:
            target = pending[i]
            assert isinstance(target, Target)
            pending[i] = replace(target, git=GitState(found[rel[i]], root, rel[i]))
    yield from pending


def cat_blobs(root: str, object_ids: list[str], max_size: int) -> Iterator[tuple[str, bytes | None, int]]:
    """(object id, content or None when over ``max_size``, size) for each blob, through one ``cat-file``.

    Streams: the ids are written from a thread while the output is read, and blobs over the
    limit are read through in chunks and dropped, so memory stays bounded.
    """
    if not object_ids:
        return
    import threading

    args = ["cat-file", "--batch"]
    proc = popen(root, args, stdin_pipe=True)
    assert proc.stdin is not None and proc.stdout is not None

    def feed() -> None:
        try:
            for oid in object_ids:
                proc.stdin.write(oid.encode("ascii") + b"\n")  # type: ignore[union-attr]
            proc.stdin.close()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError):
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    out = proc.stdout
    complete = False
    try:
        for oid in object_ids:
            header = out.readline().split()
            if len(header) == 2 and header[1] == b"missing":
                yield oid, None, -1
                continue
            if len(header) != 3:
                raise GitError(f"{root}: unexpected output from git cat-file")
            size = int(header[2])
            if size > max_size:
                remaining = size + 1
                while remaining:
                    chunk = out.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    remaining -= len(chunk)
                yield oid, None, size
            else:
                data = out.read(size)
                out.read(1)  # the newline after each object
                yield oid, data, size
        complete = True
    finally:
        out.close()
        if not complete:  # the caller stopped early: stop git too (before joining the writer it may block)
            proc.terminate()
        writer.join()
        finish(proc, root, args, ok_codes=(0,) if complete else (0, -13, -15))


def staged_entries(root: str, pathspecs: list[str]) -> list[tuple[str, str]]:
    """(path, blob id) of every file added, copied, modified or renamed in the index (the next commit)."""
    output = run(
        root,
        ["diff", "--cached", "--raw", "-z", "--no-abbrev", "--no-renames", "--no-ext-diff", "--no-textconv",
         "--diff-filter=ACMR", "--", *pathspecs],
    )
    fields = output.split(b"\0")
    found: list[tuple[str, str]] = []
    i = 0
    while i + 1 < len(fields):
        meta, path = fields[i], fields[i + 1]
        i += 2
        if not meta.startswith(b":"):
            break
        _old_mode, new_mode, _old, new, _status = meta[1:].decode("ascii").split()
        if new_mode.startswith(("100", "644", "755")):  # regular files only: not symlinks (120000), submodules
            found.append((os.fsdecode(path), new))
    return found


@dataclass(frozen=True, slots=True)
class BlameLine:
    line: int  # line number in the blamed revision
    commit: str
    author_time: int  # Unix seconds
    text: str


def blame(root: str, path: str, revision: str = "HEAD") -> list[BlameLine]:
    """Who last changed each line of ``path`` at ``revision`` (a commit: the working tree is never read,
    so no clean filter of the repository's config can run)."""
    output = run(
        root,
        ["blame", "--porcelain", "--no-textconv", revision, "--", path],
    )
    lines: list[BlameLine] = []
    times: dict[str, int] = {}
    commit = ""
    final_line = 0
    for raw in output.split(b"\n"):
        if raw.startswith(b"\t"):
            lines.append(BlameLine(final_line, commit, times.get(commit, 0), raw[1:].decode("utf-8", "replace")))
            continue
        parts = raw.split(b" ")
        if len(parts) >= 3 and len(parts[0]) in (40, 64) and parts[1].isdigit() and parts[2].isdigit():
            commit = parts[0].decode("ascii")
            final_line = int(parts[2])
        elif parts[0] == b"author-time" and len(parts) == 2:
            times[commit] = int(parts[1])
    return lines


def staged_targets(paths: list[str], settings: Settings) -> Iterator[Target | Notice]:
    """The index content of staged config files (added, copied, modified, renamed), for ``scan --staged``.

    PATHs limit the files (a staged file named exactly is scanned whatever its name); positions
    are positions in the staged content, which is what will be committed.
    """
    start = paths[0] if paths else "."
    root = find_root(start)
    if root is None:
        raise GitError(f"--staged needs a git repository, and {os.path.abspath(start)} is not inside one")
    run(root, ["rev-parse", "--show-toplevel"])  # a repository git refuses (safe.directory) fails here, clearly
    pathspecs = []
    for given in paths:
        rel = relpath(given, root)
        if rel == ".." or rel.startswith("../"):
            raise GitError(f"{given} is outside the repository {root}")
        pathspecs.append("." if rel == "." else ":(literal)" + rel)
    explicit = {relpath(given, root) for given in paths}
    chosen: list[tuple[str, str, str]] = []  # (repository path, display, format)
    blobs: list[str] = []
    for path, blob in staged_entries(root, pathspecs):
        name = path.rsplit("/", 1)[-1]
        display = display_path(os.path.join(root, path))
        fmt = format_for(name)
        if fmt is None and (path in explicit or matches_any(name, settings.include)):
            fmt = "lines"
        if fmt is None or (settings.exclude and any(path_matches(display, p) for p in settings.exclude)):
            continue
        chosen.append((path, display, fmt))
        blobs.append(blob)
    for (path, display, fmt), (_oid, data, size) in zip(
        chosen, cat_blobs(root, blobs, settings.max_file_size), strict=True
    ):
        if size < 0:
            yield Notice(display, f"{display}: staged content is missing from the repository", "error")
            continue
        if data is None:
            yield Notice(
                display,
                f"{display}: not scanned: staged content of {size:,} bytes is over the size limit "
                f"({settings.max_file_size:,} bytes; raise it with --max-file-size)",
                "limit",
            )
            continue
        yield Target(os.path.join(root, path), display, fmt, size, data=data, git=GitState(STAGED, root, path))


# --- history ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hunk:
    """Consecutive lines added by one commit to one file."""

    commit: str
    date: str  # author date, ISO 8601
    path: str  # repository path in that commit
    line: int  # number of the first added line in the file at that commit
    lines: list[str]


_HUNK_HEADER = re.compile(rb"^@@+ [^@]*\+(\d+)(?:,\d+)? @@")
_C_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", '"': '"', "\\": "\\"}


def _diff_path(raw: bytes) -> str | None:
    """The path in a ``+++ b/path`` header (C-quoted when it holds special characters), None for /dev/null."""
    text = raw.rstrip(b"\n").rstrip(b"\r")
    if text == b"/dev/null":
        return None
    if text.startswith(b'"') and text.endswith(b'"'):
        text = _unquote_c(text[1:-1])
    return os.fsdecode(text[2:]) if text.startswith(b"b/") else os.fsdecode(text)


def _unquote_c(quoted: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(quoted):
        ch = quoted[i]
        if ch == 0x5C and i + 1 < len(quoted):  # backslash
            nxt = chr(quoted[i + 1])
            if nxt in "01234567" and i + 3 < len(quoted) + 1:
                out.append(int(quoted[i + 1 : i + 4], 8) & 0xFF)
                i += 4
                continue
            out.extend(_C_ESCAPES.get(nxt, nxt).encode("latin-1"))
            i += 2
            continue
        out.append(ch)
        i += 1
    return bytes(out)


def history_hunks(
    root: str,
    revisions: list[str],
    pathspecs: list[str],
    wanted: Callable[[str], bool],
    stats: dict[str, int],
) -> Iterator[Hunk]:
    """Stream the lines every commit added to files ``wanted(path)`` accepts, oldest commit first.

    One ``git log -p -U0`` process, read as it runs (never a checkout); ancestors come before
    their descendants, so the first hunk that shows a line is the commit that introduced it.
    Merge commits are diffed against their first parent (what the merge brought in, evil merges
    included); binary files show no lines; renames show only the lines that changed.
    """
    options = [o for o in revisions if o.startswith("--")]
    revs = [r for r in revisions if not r.startswith("--")]
    args = [
        "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false", "-c", "log.showRoot=true",
        "log", "--reverse", "--date-order", "--format=%x00%H %aI", "-p", "-U0", "-M", "--no-color",
        "--no-ext-diff", "--no-textconv", "--no-relative", "--src-prefix=a/", "--dst-prefix=b/",
        "--diff-merges=first-parent", *options, "--end-of-options", *revs, "--", *pathspecs,
    ]  # fmt: skip
    proc = popen(root, args)
    assert proc.stdout is not None
    commit = date = ""
    path: str | None = None
    in_header = False
    line_no = 0
    added: list[str] = []
    added_start = 0

    def flush() -> Iterator[Hunk]:
        nonlocal added
        if added and path is not None:
            yield Hunk(commit, date, path, added_start, added)
        added = []

    try:
        for raw in proc.stdout:
            if raw.startswith(b"\0"):
                yield from flush()
                sha, _, when = raw[1:].decode("ascii", "replace").strip().partition(" ")
                commit, date, path, in_header = sha, when, None, False
                stats["commits"] = stats.get("commits", 0) + 1
                continue
            if raw.startswith(b"diff --git ") or raw.startswith(b"diff --cc "):
                yield from flush()
                path, in_header = None, True
                continue
            if in_header:
                if raw.startswith(b"+++ "):
                    found = _diff_path(raw[4:])
                    path = found if found is not None and wanted(found) else None
                    if path is not None:
                        stats["file_changes"] = stats.get("file_changes", 0) + 1
                    continue
                if not raw.startswith(b"@@"):
                    continue
                in_header = False
            if raw.startswith(b"@@"):
                yield from flush()
                header = _HUNK_HEADER.match(raw)
                line_no = int(header.group(1)) if header else 0
                continue
            if path is None:
                continue
            if raw.startswith(b"+"):
                if not added:
                    added_start = line_no
                added.append(raw[1:].rstrip(b"\n").rstrip(b"\r").decode("utf-8", "replace"))
                line_no += 1
            elif raw.startswith(b" "):
                yield from flush()
                line_no += 1
        yield from flush()
    finally:
        proc.stdout.close()
        if proc.poll() is None:
            proc.terminate()
        finish(proc, root, args, ok_codes=(0, -13, -15))  # -13/-15: stopped early by us


def head_blobs(root: str, wanted: Callable[[str], bool], max_size: int) -> Iterator[tuple[str, bytes]]:
    """(path, content) of the files at HEAD that ``wanted`` accepts, up to ``max_size`` bytes each."""
    if not commit_exists(root, "HEAD"):
        return
    listing = run(root, ["ls-tree", "-r", "-l", "-z", "--full-tree", "HEAD"])
    chosen: list[tuple[str, str]] = []
    for item in listing.split(b"\0"):
        meta, _, raw_path = item.partition(b"\t")
        fields = meta.split()
        if len(fields) != 4 or fields[1] != b"blob" or not fields[3].isdigit():
            continue
        path = os.fsdecode(raw_path)
        if int(fields[3]) <= max_size and wanted(path):
            chosen.append((path, fields[2].decode("ascii")))
    blobs = cat_blobs(root, [oid for _path, oid in chosen], max_size)
    for (path, _oid), (_same, data, _size) in zip(chosen, blobs, strict=True):
        if data is not None:
            yield path, data


def commit_exists(root: str, revision: str) -> bool:
    try:
        run(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"])
    except (GitUnsafe, GitStuck):
        raise
    except GitError:
        return False
    return True
