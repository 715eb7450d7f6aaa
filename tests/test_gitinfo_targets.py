"""annotate works out each target's repository and path inside it from the target's absolute path (the
current directory asked once, no stat of the file, no relpath): the same as find_root and relpath per file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gitutil import Repo, requires_git
from keylint import gitinfo
from keylint.config import Settings
from keylint.discover import Target, discover

pytestmark = requires_git


@pytest.fixture
def trees(tmp_path: Path) -> Path:
    """An outer repository holding a nested one, a directory outside any repository, a link to the outer one."""
    outer = Repo(tmp_path / "outer")
    for name in ("a.yaml", "sub/b.env", "sub/deep/c.toml", "..odd/d.json", "sp ace/e.yaml"):
        outer.write(name, "a: 1\n")
    outer.commit("files", "a.yaml", "sub")
    inner = Repo(tmp_path / "outer" / "sub" / "inner")
    inner.write("f.yaml", "a: 1\n")
    inner.write("g/h.env", "A=1\n")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "i.yaml").write_text("a: 1\n")
    os.symlink(tmp_path / "outer", tmp_path / "link")
    return tmp_path


@pytest.mark.parametrize(
    ("cwd", "given"),
    [
        (".", ["outer", "plain"]),
        (".", ["./outer/sub/../sub", "link"]),
        ("outer/sub", [".", "..", "inner/f.yaml"]),
        ("outer/sub/inner", ["../../a.yaml", "g", "../../../plain/i.yaml"]),
        ("plain", ["ABSOLUTE/outer", "../link/sub/deep/c.toml"]),
    ],
)
def test_each_target_has_the_root_and_path_find_root_and_relpath_give(trees, monkeypatch, cwd, given):
    monkeypatch.chdir(trees / cwd)
    monkeypatch.setattr(gitinfo, "_ROOTS", {})
    paths = [p.replace("ABSOLUTE", str(trees)) for p in given]
    annotated = [t for t in gitinfo.annotate(discover(paths, Settings())) if isinstance(t, Target)]
    assert len(annotated) >= 2
    monkeypatch.setattr(gitinfo, "_ROOTS", {})
    for target in annotated:
        root = gitinfo.find_root(target.path)
        if root is None:
            assert target.git is None
        else:
            assert (target.git.root, target.git.relpath) == (root, gitinfo.relpath(target.path, root))


def test_the_root_directory_itself(monkeypatch):
    # A repository at "/" (its path is its tail past the one separator), and paths the root was found above.
    monkeypatch.setattr(gitinfo, "_ROOTS", {})
    assert gitinfo._relpath_below("/etc/x.yaml", "/") == gitinfo.relpath("/etc/x.yaml", "/") == "etc/x.yaml"
    assert gitinfo._relpath_below("/r/a b/..c.env", "/r") == "a b/..c.env"
    assert gitinfo._absolute("a/../b.yaml", os.getcwd()) == os.path.abspath("a/../b.yaml")
    assert gitinfo._absolute("/x/./y", None) == "/x/y"
