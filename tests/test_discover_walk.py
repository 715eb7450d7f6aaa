"""Discovery's walk against a plain reference walk, on generated trees.

The walk works out each directory's display path from its parent's and tells a virtualenv from the directory's
own listing; the reference below asks relpath for every entry and stats ``pyvenv.cfg`` in every subdirectory.
Both must give the same targets and notices in the same order: with symlinks (loops, links to files, broken
ones), virtualenvs (and things that only look like one), excluded paths, directories that cannot be listed or
looked at, hard links, FIFOs and odd names, walked from above, inside and beside the current directory.
"""

from __future__ import annotations

import os
import random
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from keylint import discover as discover_module
from keylint.config import Settings, path_matches
from keylint.discover import SKIP_DIRS, Notice, Target, _format, discover, display_path


def reference_walk(root: str, settings: Settings, seen_files: set[tuple[int, int]]) -> Iterator[Target | Notice]:
    """The walk as plainly as it can be written: display_path per entry, a stat for pyvenv.cfg per subdirectory."""
    stack = [root]
    visited_dirs: set[tuple[int, int]] = set()
    while stack:
        directory = stack.pop()
        try:
            info = os.stat(directory)
        except OSError as error:
            yield Notice(directory, f"{directory}: cannot access ({error.strerror or error})", "error")
            continue
        if (info.st_dev, info.st_ino) in visited_dirs:
            continue
        visited_dirs.add((info.st_dev, info.st_ino))
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as error:
            yield Notice(directory, f"{directory}: cannot list directory ({error.strerror or error})", "error")
            continue
        subdirs: list[str] = []
        for entry in entries:
            display = display_path(entry.path)
            try:
                if entry.is_symlink() and not settings.follow_symlinks:
                    continue
                is_dir = entry.is_dir(follow_symlinks=settings.follow_symlinks)
                is_file = not is_dir and entry.is_file(follow_symlinks=settings.follow_symlinks)
            except OSError:
                continue
            if any(path_matches(display, p) for p in settings.exclude):
                continue
            if is_dir:
                virtualenv = os.path.isfile(os.path.join(entry.path, "pyvenv.cfg"))
                if not (entry.name in SKIP_DIRS or entry.name.endswith(".egg-info") or virtualenv):
                    subdirs.append(entry.path)
            elif is_file:
                fmt = _format(entry.name, settings, explicit=False)
                if fmt is None:
                    continue
                try:
                    st = entry.stat(follow_symlinks=settings.follow_symlinks)
                except OSError as error:
                    yield Notice(display, f"{display}: cannot access ({error.strerror or error})", "error")
                    continue
                if (st.st_dev, st.st_ino) not in seen_files:
                    seen_files.add((st.st_dev, st.st_ino))
                    yield Target(entry.path, display, fmt, st.st_size)
            elif _format(entry.name, settings, explicit=False) is not None:
                yield Notice(display, f"{display}: not a regular file, skipped", "skipped")
        stack.extend(reversed(subdirs))


FILE_NAMES = [
    "config.yaml",
    ".env",
    "app.toml",
    "settings.json",
    "notes.txt",
    "app.conf",
    "..odd.yaml",
    "sp ace.env",
    "ünï.yaml",
    "new\nline.env",
    ".env.production",
    "x.properties",
]
DIR_NAMES = ["a", "b", "..dots", "sp ace", "ünï", "node_modules", "build", "x.egg-info", "cfg", "locked", "gone"]


def _virtualenv_lookalike(directory: Path, rng: random.Random) -> None:
    """A pyvenv.cfg in one of the forms that do or do not make a virtualenv."""
    form = rng.choice(["file", "directory", "upper", "link", "broken link", "none"])
    if form == "file":
        (directory / "pyvenv.cfg").write_text("home = /usr\n")
    elif form == "directory":
        (directory / "pyvenv.cfg").mkdir()
    elif form == "upper":
        (directory / "PYVENV.CFG").write_text("home = /usr\n")
    elif form == "link":
        (directory / "real.cfg").write_text("home = /usr\n")
        os.symlink("real.cfg", directory / "pyvenv.cfg")
    elif form == "broken link":
        os.symlink("missing.cfg", directory / "pyvenv.cfg")


def generate(root: Path, seed: int) -> None:
    rng = random.Random(seed)
    directories = [root]
    root.mkdir()
    for _ in range(rng.randint(8, 30)):
        parent = rng.choice(directories)
        kind = rng.random()
        if kind < 0.35:
            child = parent / rng.choice(DIR_NAMES)
            if not child.exists() and not child.is_symlink():
                child.mkdir()
                directories.append(child)
                if rng.random() < 0.3:
                    _virtualenv_lookalike(child, rng)
        elif kind < 0.75:
            file = parent / rng.choice(FILE_NAMES)
            if not (file.is_symlink() or file.is_fifo() or file.is_dir()):
                file.write_text("a: 1\n" * rng.randint(0, 3))
        else:
            link = parent / rng.choice([f"link{rng.randint(0, 99)}.{rng.choice(['yaml', 'd', 'env'])}", ".env"])
            if link.exists() or link.is_symlink():
                continue
            target = rng.choice(["loop", "sibling", "file", "broken", "hard", "fifo"])
            files = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
            if target == "loop":
                os.symlink(rng.choice(directories), link)
            elif target == "sibling":
                os.symlink(os.path.relpath(rng.choice(directories), parent), link)
            elif target == "file" and files:
                os.symlink(rng.choice(files), link)
            elif target == "hard" and files:
                os.link(rng.choice(files), link)
            elif target == "fifo":
                os.mkfifo(link.with_suffix(rng.choice([".yaml", ".bin"])) if link.name != ".env" else link)
            else:
                os.symlink(root / "nowhere", link)


@pytest.fixture
def faults(monkeypatch):
    """Once armed, directories named ``locked`` cannot be listed (only searched), those named ``gone`` cannot be
    looked at: root may run the tests, and permissions do not stop root."""
    real_scandir, real_stat = os.scandir, os.stat

    def scandir(path):
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    def stat_(path, *args, **kwargs):
        if isinstance(path, str) and os.path.basename(path) == "gone":
            raise PermissionError(13, "Permission denied")
        return real_stat(path, *args, **kwargs)

    def arm() -> None:
        monkeypatch.setattr(os, "scandir", scandir)
        monkeypatch.setattr(os, "stat", stat_)

    return arm


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("follow_symlinks", [False, True])
def test_walk_equals_reference_walk(tmp_path, monkeypatch, faults, seed, follow_symlinks):
    rng = random.Random(seed)
    generate(tmp_path / "root", seed)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "root" / "inner" / "..deep").mkdir(parents=True, exist_ok=True)  # the walk from above the cwd
    (tmp_path / "root" / "inner" / "..deep" / ".env").write_text("A=1\n")
    exclude = rng.choice([(), ("*.toml",), ("a/",), ("**/cfg/*", "sp ace")])
    settings = Settings(follow_symlinks=follow_symlinks, exclude=exclude, include=("*.conf",))
    monkeypatch.chdir(tmp_path / rng.choice(["root", "elsewhere", ".", "root/inner", "root/inner/..deep"]))
    faults()
    start = str(tmp_path / "root") if rng.random() < 0.5 else os.path.relpath(tmp_path / "root")
    walked = list(discover([start], settings))
    monkeypatch.setattr(discover_module, "_walk", reference_walk)
    assert walked == list(discover([start], settings))


@pytest.mark.parametrize("cfg", ["file", "link"])
def test_a_virtualenv_that_cannot_be_listed_is_skipped_silently(tmp_path, monkeypatch, faults, cfg):
    # As when a stat of its pyvenv.cfg told it: a directory that can be searched but not listed.
    (tmp_path / "locked").mkdir()
    (tmp_path / "real.txt").write_text("home = /usr\n")
    if cfg == "file":
        (tmp_path / "locked" / "pyvenv.cfg").write_text("home = /usr\n")
    else:
        os.symlink(tmp_path / "real.txt", tmp_path / "locked" / "pyvenv.cfg")
    (tmp_path / "app.yaml").write_text("a: 1\n")
    monkeypatch.chdir(tmp_path)
    faults()
    assert list(discover(["."], Settings())) == [Target("./app.yaml", "app.yaml", "yaml", 5)]


def test_the_walk_root_is_walked_even_when_it_is_a_virtualenv(tmp_path, monkeypatch):
    (tmp_path / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "app.yaml").write_text("a: 1\n")
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "inner" / "skipped.yaml").write_text("a: 1\n")
    monkeypatch.chdir(tmp_path)
    assert [t.display for t in discover(["."], Settings())] == ["app.yaml", "pyvenv.cfg"]


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="permissions do not stop root")
@pytest.mark.parametrize("mode", [0, stat.S_IXUSR, stat.S_IRUSR])
def test_directories_without_permissions_equal_reference(tmp_path, monkeypatch, mode):
    for name in ("env/pyvenv.cfg", "env/a.yaml", "plain/b.yaml", "c.yaml"):
        (tmp_path / "root" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "root" / name).write_text("a: 1\n")
    monkeypatch.chdir(tmp_path)
    try:
        for name in ("env", "plain"):
            os.chmod(tmp_path / "root" / name, mode)
        walked = list(discover(["root"], Settings()))
        monkeypatch.setattr(discover_module, "_walk", reference_walk)
        assert walked == list(discover(["root"], Settings()))
    finally:
        for name in ("env", "plain"):
            os.chmod(tmp_path / "root" / name, stat.S_IRWXU)
