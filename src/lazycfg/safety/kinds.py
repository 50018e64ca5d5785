"""What a target *is*: the kinds of callables a config may never call, whatever their name.

A name blocklist cannot list every method that writes a file or changes a module, so these rules
look at the object instead. A config may call classes, functions (module-level or static),
classmethods and callable objects. It may not call:

- an unbound method or method descriptor (``pathlib.Path.unlink``, ``builtins.list.append``,
  ``types.ModuleType.__setattr__``): given any object as ``self`` it deletes and writes files or
  changes modules, classes and their lists;
- a method bound to a shared object (``os.environ.update``, ``some_module.REGISTRY.clear``): the
  object lives in a module, so the call changes the module's state or the process environment;
- a special (``__dunder__``) method, or a metaclass method reached through a class
  (``SomeABC.register``): these change classes or build new ones;
- a metaclass (``builtins.type``, ``abc.ABCMeta``): calling one builds a class from config data.

Besides, `value_problem` refuses handing a config a module or a shared mutable container (what
``hydra.utils.get_object`` would return), since functions that change their arguments could
then change the module's state.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import types
from collections.abc import MutableMapping, MutableSequence, MutableSet
from typing import Any

_DESCRIPTORS = (
    types.WrapperDescriptorType,
    types.MethodDescriptorType,
    types.ClassMethodDescriptorType,
    types.GetSetDescriptorType,
    types.MemberDescriptorType,
    types.MethodWrapperType,
    property,
    classmethod,
    staticmethod,
    functools.cached_property,
)
_BOUND = (types.MethodType, types.BuiltinMethodType)
_MUTABLE = (MutableMapping, MutableSequence, MutableSet, bytearray)
_ENVIRON_HINT = (
    "Target '{name}' cannot modify the process environment from\n"
    "declarative configuration. Perform this mutation from trusted Python\ncode instead."
)
_FIX = "name a class, a module-level function, a classmethod or a staticmethod instead"


def _is_dunder(name: Any) -> bool:
    return isinstance(name, str) and len(name) > 4 and name[:2] == name[-2:] == "__"


def _owner(fn: types.FunctionType) -> Any:
    """The class a function defined in a class body belongs to, or None."""
    module = sys.modules.get(fn.__module__)
    owner: Any = module
    for part in fn.__qualname__.split(".")[:-1]:
        owner = inspect.getattr_static(owner, part, None)
        if owner is None:
            return None
    return owner if isinstance(owner, type) else None


def _declared_on_class(cls: type, name: Any) -> bool:
    """Whether ``name`` is a classmethod or staticmethod of ``cls`` itself (looked up without
    running descriptors), rather than a method of its metaclass or an instance method."""
    if not isinstance(name, str):
        return False
    found = inspect.getattr_static(cls, name, None)
    return isinstance(found, classmethod | staticmethod) or (
        type(found) is types.ClassMethodDescriptorType
    )


def _shared_object(receiver: Any, name: str, returned: bool) -> str | None:
    if receiver is os.environ or isinstance(receiver, type(os.environ)):
        return _ENVIRON_HINT.format(name=name)
    if returned and not isinstance(receiver, _MUTABLE):
        return None
    kind = type(receiver).__qualname__
    return (
        f"target {name!r} is a method bound to a shared {kind} object: calling it from a config "
        f"changes that object and so the state of the module holding it; {_FIX} (or, if you "
        f"trust this one method, name it exactly in allow=[{name!r}])"
    )


def kind_problem(obj: Any, name: str, *, returned: bool = False) -> str | None:
    """Why ``obj`` (named ``name``) may not be called from a config because of what it is.

    ``returned``: ``obj`` is what a target returned (trusted code chose it), so a method bound to
    an object is refused only when that object is a shared container or the environment."""
    for _ in range(64):  # a partial's function is what the call runs
        if not isinstance(obj, functools.partial):
            break
        obj = obj.func
    if isinstance(obj, type):
        if issubclass(obj, type):
            return (
                f"target {name!r} is a metaclass: calling it builds a class from config data; "
                f"{_FIX}"
            )
        return None
    if isinstance(obj, _DESCRIPTORS):
        return (
            f"target {name!r} is an unbound method or descriptor of a class: called from a "
            f"config it acts on whatever object it is given (writing files, changing modules "
            f"or classes); {_FIX}"
        )
    kind = type(obj)
    fname = getattr(obj, "__name__", None)
    if kind in _BOUND:
        receiver = obj.__self__
        if receiver is None or isinstance(receiver, types.ModuleType):
            return None  # a module-level function (C functions are bound to their module)
        if isinstance(receiver, type):
            if not _is_dunder(fname) and _declared_on_class(receiver, fname):
                return None
            return (
                f"target {name!r} is a special method or a metaclass method reached through a "
                f"class: it changes the class or builds new ones; {_FIX}"
            )
        return _shared_object(receiver, name, returned)
    if kind is types.FunctionType:
        qualname = obj.__qualname__
        if "." not in qualname or "<locals>" in qualname:
            return None
        owner = _owner(obj)
        if owner is None:
            return None
        if not _is_dunder(fname) and isinstance(
            inspect.getattr_static(owner, fname or "", None), staticmethod
        ):
            return None
        return (
            f"target {name!r} is an unbound method of class {owner.__module__}."
            f"{owner.__qualname__}: called from a config it acts on whatever object it is given "
            f"as self (writing files, changing modules or classes); {_FIX}"
        )
    receiver = getattr(obj, "__self__", None)  # e.g. Cython methods
    if receiver is not None and not isinstance(receiver, type | types.ModuleType):
        return _shared_object(receiver, name, returned)
    return None


def value_problem(value: Any, name: str) -> str | None:
    """Why a config may not be handed ``value`` (say by ``hydra.utils.get_object``), or None."""
    if isinstance(value, types.ModuleType):
        return (
            f"{name!r} is a module: a config may not hold a module, since calls given it could "
            "change it; name the class or function you need inside it"
        )
    if isinstance(value, _MUTABLE) and not callable(value):
        return (
            f"{name!r} is a shared mutable {type(value).__qualname__}: a config may not hold "
            "it, since calls given it could change the state of its module; copy it in Python "
            "code or name a function that returns a fresh value"
        )
    return None


def shared_method(obj: Any) -> bool:
    """Whether ``obj`` is a method bound to a shared object other than the environment
    (``numpy.random.seed``, ``random.randint``): refused by default, but a caller may trust one by
    naming it exactly in ``allow=``."""
    receiver = getattr(obj, "__self__", None)
    if receiver is None or isinstance(receiver, type | types.ModuleType):
        return False
    if receiver is os.environ or isinstance(receiver, type(os.environ)):
        return False
    return not _is_dunder(getattr(obj, "__name__", None))
