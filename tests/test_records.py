"""keylint.records behaves as the standard dataclasses does for every feature keylint's records use."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import pickle
import pkgutil

import pytest

import keylint
from keylint import records


def _pair(frozen: bool, slots: bool, eq: bool = True, repr: bool = True) -> tuple[type, type]:
    """The same class body under the standard decorator and ours."""

    def make(decorator, field):
        class Sample:
            """A sample."""

            name: str
            line: int
            quote: str = ""
            tags: list[str] = field(default_factory=list)

            def describe(self) -> str:
                return f"{self.name}:{self.line}"

        Sample.__qualname__ = "Sample"
        return decorator(frozen=frozen, slots=slots, eq=eq, repr=repr)(Sample)

    return make(dataclasses.dataclass, dataclasses.field), make(records.dataclass, records.field)


OPTIONS = [
    {"frozen": frozen, "slots": slots, "eq": eq}
    for frozen in (False, True)
    for slots in (False, True)
    for eq in (False, True)
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(k for k, v in o.items() if v) or "plain")
def test_same_behaviour_as_the_standard_dataclass(options, monkeypatch):
    standard, ours = _pair(**options)
    monkeypatch.setitem(globals(), "Sample", ours)  # where pickle looks the class up
    for cls in (standard, ours):
        assert cls.__match_args__ == ("name", "line", "quote", "tags")
        assert cls.__doc__ == "A sample."
    a, b = standard("k", 1), ours("k", 1)
    assert type(b) is ours  # a frozen slotted record is built as its mutable twin and turned back
    assert repr(a) == repr(b) == "Sample(name='k', line=1, quote='', tags=[])"
    assert (a.quote, a.tags, a.describe()) == (b.quote, b.tags, b.describe())
    assert ours("k", 1).tags is not b.tags  # a fresh default per object
    assert ours("k", 1, tags=["x"]).tags == ["x"]
    with pytest.raises(TypeError):
        ours("k")
    with pytest.raises(TypeError):
        ours("k", 1, colour="red")
    assert (ours("k", 1) == b) is (standard("k", 1) == a)
    assert (ours("k", 2) == b) is (standard("k", 2) == a) is False
    assert (b == ("k", 1, "", [])) is (a == ("k", 1, "", [])) is False
    assert hasattr(b, "__dict__") is hasattr(a, "__dict__") is (not options["slots"])
    assert (standard.__hash__ is None) is (ours.__hash__ is None)
    if options["frozen"] and options["eq"]:  # hashed by value
        hashable_a, hashable_b = standard("k", 1, tags=()), ours("k", 1, tags=())  # type: ignore[arg-type]
        assert hash(hashable_a) == hash(hashable_b)
    elif not options["eq"]:  # by identity
        assert ours.__hash__ is standard.__hash__ is object.__hash__
    if options["frozen"]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            a.line = 2
        with pytest.raises(records.FrozenInstanceError):
            b.line = 2
        with pytest.raises(AttributeError):
            del b.line
    else:
        b.line = 2
        assert b.line == 2
    changed = records.replace(b, quote='"')
    assert changed.quote == '"' and changed.name == "k" and type(changed) is ours
    with pytest.raises(TypeError):
        records.replace(b, colour="red")
    for clone in (pickle.loads(pickle.dumps(b)), copy.copy(b), copy.deepcopy(b)):
        assert records.fields(clone) == ("name", "line", "quote", "tags")
        assert [getattr(clone, n) for n in records.fields(clone)] == [getattr(b, n) for n in records.fields(b)]


def test_class_defaults_stay_as_attributes_where_dataclasses_keeps_them():
    standard, ours = _pair(frozen=False, slots=False)
    assert standard.quote == ours.quote == ""
    assert not hasattr(ours, "tags") and not hasattr(standard, "tags")


def test_unsupported_features_are_refused_not_ignored():
    with pytest.raises(TypeError, match="follows default"):

        @records.dataclass
        class Wrong:
            a: int = 0
            b: int

    @records.dataclass
    class Base:
        a: int

    with pytest.raises(TypeError, match="inherit"):

        @records.dataclass
        class Derived(Base):
            b: int

    with pytest.raises(TypeError, match="__post_init__"):

        @records.dataclass
        class Checked:
            a: int

            def __post_init__(self) -> None:
                pass


def _keylint_modules() -> list[str]:
    names = ["keylint"]
    for info in pkgutil.walk_packages(keylint.__path__, "keylint."):
        if info.name.endswith("__main__") or ".verify.client" in info.name:  # httpx: not always installed
            continue
        names.append(info.name)
    return names


def test_every_record_class_of_keylint_is_a_record_and_round_trips():
    """No module falls back to the standard dataclasses (which would bring back its start-up cost)."""
    found = []
    for name in _keylint_modules():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == name:
                assert not dataclasses.is_dataclass(value), f"{name}.{value.__name__} uses the standard dataclasses"
                if hasattr(value, "__record_fields__"):
                    found.append(value)
    assert {cls.__name__ for cls in found} >= {"Entry", "Match", "Finding", "Notice", "Settings", "Provider", "Target"}


def test_records_of_a_scan_survive_pickling_as_worker_processes_send_them(key):
    from keylint.config import Settings
    from keylint.engine import analyse

    text = f"GITHUB_TOKEN={key('github')}\nNAME=x\n"
    findings, summary = analyse("app.env", "app.env", "dotenv", text, Settings())
    assert findings
    assert pickle.loads(pickle.dumps(findings)) == findings
    assert pickle.loads(pickle.dumps(summary)) == summary
