"""``@dataclass``, ``field`` and ``replace``: the part of :mod:`dataclasses` keylint uses, at a fraction of the cost.

Every run creates about 35 record classes (Entry, Match, Finding, Settings, Provider ...). The standard
``@dataclass`` spends about 0.5 ms on each: it compiles five or six generated methods one by one and checks
every string annotation against ``ClassVar``/``InitVar`` with regular expressions; importing it pulls in
:mod:`inspect` (with ``ast``, ``dis`` and ``tokenize``). Together that was a sixth of a pre-commit run.

This module gives the same classes for the features used here: fields from the class annotations, defaults and
``field(default_factory=...)``, ``frozen``, ``slots``, ``eq``, ``repr``, ``__match_args__``, pickling of frozen
slotted records, and ``replace()``. ``__init__`` is the source dataclasses generates (so objects are built as
fast), compiled when a class makes its first object; ``__eq__`` and ``__hash__`` compare the field values read
by one ``operator.attrgetter``. Inheritance between records, ``ClassVar``/``InitVar``/``KW_ONLY``, ``order``
and ``__post_init__`` are not supported and raise ``TypeError`` rather than behave differently.
tests/test_records.py compares them with the standard implementation, feature by feature.
"""

from __future__ import annotations

from operator import attrgetter

from keylint import TYPE_CHECKING
from keylint.recache import compile_source

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    T = TypeVar("T")

__all__ = ["FrozenInstanceError", "dataclass", "field", "fields", "replace"]


class FrozenInstanceError(AttributeError):
    """Assigning to or deleting a field of a frozen record."""


class _Field:
    __slots__ = ("default_factory",)

    def __init__(self, default_factory: Callable[[], Any]) -> None:
        self.default_factory = default_factory


def field(*, default_factory: Callable[[], Any]) -> Any:
    """A field whose default is made fresh for every object (a list, a dict ...)."""
    return _Field(default_factory)


_NO_DEFAULT = object()


class _Slotted:
    __slots__ = ("field",)


_SLOT = type(_Slotted.field)  # the descriptor type of a __slots__ entry


def fields(record: Any) -> tuple[str, ...]:
    """The field names of a record class or object, in order."""
    return record.__record_fields__


def replace(record: T, **changes: Any) -> T:
    """A copy of ``record`` with some fields changed (like :func:`dataclasses.replace`)."""
    values = {name: getattr(record, name) for name in record.__record_fields__}  # type: ignore[attr-defined]
    for name in changes:
        if name not in values:
            raise TypeError(f"{type(record).__name__} has no field {name!r}")
    values.update(changes)
    return type(record)(**values)


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_fields__)
    return f"{type(self).__qualname__}({shown})"


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _getstate(self: Any) -> list[Any]:
    return [getattr(self, name) for name in self.__record_fields__]


def _setstate(self: Any, state: list[Any]) -> None:
    for name, value in zip(self.__record_fields__, state, strict=True):
        object.__setattr__(self, name, value)  # the record may be frozen


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        return self.__record_values__(self) == other.__record_values__(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__record_values__(self))


def _values_getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """All field values of a record as one tuple, read in C (operator.attrgetter)."""
    if len(names) > 1:
        return attrgetter(*names)
    return lambda record: tuple(getattr(record, name) for name in names)


def _compile_init(cls: type, names: tuple[str, ...], defaults: dict[str, Any], frozen: bool) -> Callable[..., None]:
    """The ``__init__`` dataclasses would generate for ``cls`` (the same source, so objects are built as fast)."""
    namespace: dict[str, Any] = {"_object_setattr": object.__setattr__, "_FACTORY": _NO_DEFAULT}
    parameters, body = ["self"], []
    twin = _mutable_twin(cls, names) if frozen else None
    if twin is not None:
        namespace.update(_TWIN=twin, _RECORD=cls)
        body.append("_object_setattr(self, '__class__', _TWIN)")
    for name in names:
        default = defaults.get(name, _NO_DEFAULT)
        value = name
        if isinstance(default, _Field):
            namespace[f"_factory_{name}"] = default.default_factory
            parameters.append(f"{name}=_FACTORY")
            value = f"_factory_{name}() if {name} is _FACTORY else {name}"
        elif default is not _NO_DEFAULT:
            namespace[f"_default_{name}"] = default
            parameters.append(f"{name}=_default_{name}")
        else:
            parameters.append(name)
        # A frozen record without a twin (no slots) bypasses its own __setattr__, which refuses every assignment.
        plain = twin is not None or not frozen
        body.append(f"self.{name} = {value}" if plain else f"_object_setattr(self, {name!r}, {value})")
    if twin is not None:
        body.append("self.__class__ = _RECORD")
    source = [f"def __init__({', '.join(parameters)}):", *(f"    {line}" for line in body or ["pass"])]
    # Field names are identifiers of our own classes, as in dataclasses; the compiled code is kept between runs.
    exec(compile_source("\n".join(source), "<string>"), namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init


def _mutable_twin(cls: type, names: tuple[str, ...]) -> type | None:
    """A class with the same slots as the frozen record ``cls`` but plain assignment, or None where ``cls`` has
    no such twin (not slotted, or a layout Python would not let an object change between them).

    A frozen record's ``__init__`` turns the new object into its twin, sets the fields by plain assignment and
    turns it back: each field set through its slot's setter is a call of a method wrapper, a plain assignment to
    a slot is one specialised instruction. Building an Entry, a Match or a Finding takes about a third of the
    instructions (the dense tree builds ~80k entries and ~70k findings).
    """
    if not names or not all(isinstance(vars(cls).get(name), _SLOT) for name in names):
        return None
    twin = type(f"{cls.__name__}Building", cls.__bases__, {"__slots__": names, "__module__": cls.__module__})
    try:
        probe = object.__new__(cls)
        object.__setattr__(probe, "__class__", twin)
        probe.__class__ = cls
    except TypeError:
        return None
    return twin


def _init_on_first_use(cls: type, names: tuple[str, ...], defaults: dict[str, Any], frozen: bool) -> None:
    """Give ``cls`` an ``__init__`` that compiles the real one when the first object is made.

    Compiling is most of a record class's cost, and a run makes objects of only some of its classes.
    """

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if cls.__init__ is __init__:  # the first object: compile, and replace this stand-in for good
            cls.__init__ = _compile_init(cls, names, defaults, frozen)  # type: ignore[misc]
        cls.__init__(self, *args, **kwargs)  # type: ignore[misc]

    cls.__init__ = __init__  # type: ignore[misc]


def _process(cls: type, frozen: bool, slots: bool, eq: bool, repr: bool) -> type:
    own = vars(cls)
    if any("__record_fields__" in vars(base) for base in cls.__mro__[1:]):
        raise TypeError(f"{cls.__name__}: records cannot inherit from records")
    if "__post_init__" in own:
        raise TypeError(f"{cls.__name__}: __post_init__ is not supported")
    annotations = own.get("__annotations__", {})
    names = tuple(annotations)
    for name, annotation in annotations.items():
        if str(annotation).startswith(("ClassVar", "InitVar", "KW_ONLY")):
            raise TypeError(f"{cls.__name__}.{name}: {annotation} is not supported")
    defaults = {name: own[name] for name in names if name in own}
    for index, name in enumerate(names):
        if name not in defaults and any(earlier in defaults for earlier in names[:index]):
            raise TypeError(f"non-default argument {name!r} follows default argument")
    added: dict[str, Any] = {"__record_fields__": names, "__match_args__": names}
    if eq:
        added.update(__record_values__=_values_getter(names), __eq__=_eq)
        added["__hash__"] = _hash if frozen else None  # mutable and equal by value: unhashable, as in dataclasses
    if repr:
        added["__repr__"] = _repr
    if frozen:
        added.update(__setattr__=_frozen_setattr, __delattr__=_frozen_delattr)
    if slots and frozen:
        added.update(__getstate__=_getstate, __setstate__=_setstate)
    added = {name: value for name, value in added.items() if name not in own}  # the class's own methods win
    # A default lives in __init__'s signature; the class keeps plain defaults as attributes (as dataclasses
    # does), except where a slot takes the name or the default is a factory.
    dropped = [name for name, default in defaults.items() if slots or isinstance(default, _Field)]
    if not slots:
        for name, value in added.items():
            setattr(cls, name, value)
        for name in dropped:
            delattr(cls, name)
        record = cls
    else:
        # __slots__ only take effect when a class is created: create it again, as dataclasses does.
        namespace = {name: value for name, value in own.items() if name not in dropped}
        namespace.pop("__dict__", None)
        namespace.pop("__weakref__", None)
        namespace.update(added, __slots__=names)
        record = type(cls)(cls.__name__, cls.__bases__, namespace)
        record.__qualname__ = cls.__qualname__
    if "__init__" not in own:
        _init_on_first_use(record, names, defaults, frozen)
    return record


def dataclass(
    cls: type | None = None, /, *, frozen: bool = False, slots: bool = False, eq: bool = True, repr: bool = True
) -> Any:
    """Make ``cls`` a record: ``@dataclass`` or ``@dataclass(frozen=True, slots=True, eq=..., repr=...)``."""

    def wrap(cls: type) -> type:
        return _process(cls, frozen, slots, eq, repr)

    return wrap if cls is None else wrap(cls)
