"""The one way the extensions change moto: `patch` replaces an attribute, `add` gives moto one it
lacks (an API action moto does not implement), and `require` declares one they call as it is. They
check, at start-up, that the attribute exists and takes the parameters the
extension was written against, so a moto whose internals moved fails loudly naming the attribute,
instead of answering wrongly (or with an HTML 500) in the middle of a test; `add` refuses a name
moto already has (a moto that grew the action must be looked at, not silently overridden).

A signature is written as `inspect.signature` prints it without annotations, e.g.
`(self, cluster_str, tasks)`: names, kinds and defaults are the contract; annotations are not (moto
writes some as strings, some as types, and they say nothing about how a call binds).
"""

import functools
import inspect


class PatchError(RuntimeError):
    """moto is not the one the extensions were written against."""


_PATCHED_MARK = "__berth_patched__"


def _where(owner, name):
    return f"{getattr(owner, '__module__', '')}.{getattr(owner, '__qualname__', getattr(owner, '__name__', owner))}.{name}".lstrip(".")


def _bare(signature):
    parameters = [p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()]
    return str(signature.replace(parameters=parameters, return_annotation=inspect.Signature.empty))


def require(owner, name, expected):
    """Returns `owner.name` after checking it exists and its signature is `expected`."""
    where = _where(owner, name)
    if not hasattr(owner, name):
        raise PatchError(f"moto has no {where} (the extensions expect {where}{expected})")
    attribute = getattr(owner, name)
    try:
        found = _bare(inspect.signature(attribute))
    except (TypeError, ValueError):
        raise PatchError(f"{where} is not callable (the extensions expect {where}{expected})") from None
    if found != expected:
        raise PatchError(f"{where} has the signature {found}; the extensions expect {expected}")
    return attribute


def patch(owner, name, expected, replacement):
    """Replaces `owner.name` by `replacement(original)`, once; `expected` is the original's signature."""
    original = require(owner, name, expected)
    if getattr(original, _PATCHED_MARK, False):
        raise PatchError(f"{_where(owner, name)} is already patched (extensions installed twice)")
    new = replacement(original)
    functools.update_wrapper(new, original, updated=())
    setattr(new, _PATCHED_MARK, True)
    setattr(owner, name, new)
    return original


def add(owner, name, function):
    """Sets `owner.name = function` after checking moto has no such attribute, once."""
    if hasattr(owner, name):
        where = _where(owner, name)
        if getattr(getattr(owner, name), _PATCHED_MARK, False):
            raise PatchError(f"{where} is already added (extensions installed twice)")
        raise PatchError(f"moto has {where} now; the extensions expected to add it")
    setattr(function, _PATCHED_MARK, True)
    setattr(owner, name, function)
    return function
