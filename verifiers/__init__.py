"""Verifier registry: plain functions `fn(sample, response) -> float | Verdict | None`.

`sample` is the task record (a dict: at least "task" and "answer"; any other fields, e.g.
"image_size" or "coord_space", are metadata for the verifier). `response` is the solution text
(the part after `</think>` once the format gate has passed). None means "not applicable".

    from verifiers import verifier

    @verifier("exact")
    def exact(sample, response):
        return float(response.strip() == str(sample["answer"]).strip())

Recipes name verifiers by registered name or as "package.module:function".
"""
from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

VerifierFn = Callable[[Mapping[str, Any], str], Any]

_REGISTRY: dict[str, VerifierFn] = {}
_BUILTIN_MODULES = ("verifiers.math", "verifiers.grounding", "verifiers.counting", "verifiers.choice")


@dataclass
class Verdict:
    """A verifier's result with details for logging (e.g. the extracted answer, the IoU)."""

    score: float
    details: dict[str, Any] = field(default_factory=dict)


class UnknownVerifier(KeyError):
    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return self.args[0]


def verifier(name: str) -> Callable[[VerifierFn], VerifierFn]:
    """Register `fn` under `name`. Re-registering the same function (module reload) is allowed."""

    def register(fn: VerifierFn) -> VerifierFn:
        old = _REGISTRY.get(name)
        if old is not None and getattr(old, "__qualname__", None) != fn.__qualname__:
            raise ValueError(f"verifier {name!r} is already registered ({old.__module__}.{old.__qualname__})")
        _REGISTRY[name] = fn
        return fn

    return register


def load_builtins() -> None:
    for mod in _BUILTIN_MODULES:
        importlib.import_module(mod)


def import_plugins(modules: list[str]) -> None:
    """Import user modules (their @verifier decorators register on import)."""
    for mod in modules:
        try:
            importlib.import_module(mod)
        except ImportError as e:
            raise ImportError(f"cannot import verifier plugin module {mod!r}: {e}") from e


def get_verifier(spec: str) -> VerifierFn:
    """Resolve a registered name or a "package.module:function" spec."""
    load_builtins()
    if ":" in spec:
        mod_name, _, attr = spec.partition(":")
        try:
            fn = getattr(importlib.import_module(mod_name), attr)
        except (ImportError, AttributeError) as e:
            raise UnknownVerifier(f"cannot load verifier {spec!r}: {e}") from e
        if not callable(fn):
            raise UnknownVerifier(f"verifier {spec!r} is not callable")
        return fn
    if spec not in _REGISTRY:
        close = difflib.get_close_matches(spec, _REGISTRY, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UnknownVerifier(f"unknown verifier {spec!r}{hint}; known: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[spec]


def known_verifiers() -> list[str]:
    load_builtins()
    return sorted(_REGISTRY)


def as_verdict(result: Any) -> Verdict | None:
    """Normalise a verifier's return value (float, bool, Verdict, (score, details)) to a Verdict."""
    if result is None or isinstance(result, Verdict):
        return result
    if isinstance(result, tuple) and len(result) == 2:
        return Verdict(float(result[0]), dict(result[1]))
    return Verdict(float(result))
