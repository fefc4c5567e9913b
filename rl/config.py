"""Recipes: YAML files read into typed, strict config models.

A recipe is validated by pydantic models that forbid unknown keys; every error is turned into one
line naming the key, where it is (file:line, or the command-line override), and a close match:

    recipes/hybrid_rl.yaml:12: ppo.clip_hgh: unknown key (did you mean 'clip_high'?)

`key.sub=value` overrides (values parsed as YAML) are applied before validation. The resolved
config is written beside the run's outputs (rl/run.py). The sections of a recipe live in
rl/schema.py.
"""
from __future__ import annotations

import difflib
import typing
from pathlib import Path
from typing import Any

import pydantic
import yaml

from rl.schema import Recipe


class ConfigError(Exception):
    """A recipe problem, reported to the user as one line (exit code 2)."""


def load_recipe(path: str | Path, overrides: list[str] | None = None) -> Recipe:
    """Read, override and validate a recipe; raise ConfigError with a one-line message."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: recipe file not found")
    text = path.read_text()
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: invalid YAML: {getattr(e, 'problem', e)}") from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: a recipe must be a mapping of sections, got {type(data).__name__}")
    recipe = _validate(data, path, node, {})
    if not overrides:
        return recipe
    # overrides apply to the resolved recipe, so `a.b=c` keeps a section's other defaults
    data, overridden = recipe.model_dump(mode="json"), {}
    for item in overrides:
        keys, value = parse_override(item)
        set_path(data, keys, value, item)
        overridden[tuple(keys)] = item
    return _validate(data, path, node, overridden)


def _validate(data: dict, path: Path, node, overridden: dict) -> Recipe:
    try:
        return Recipe.model_validate(data)
    except pydantic.ValidationError as e:
        raise ConfigError(describe_error(e, path, node, overridden)) from None


def parse_override(item: str) -> tuple[list[str | int], Any]:
    """'ppo.lr=1e-5' -> (['ppo', 'lr'], 1e-5); 'stages.1.steps=3' indexes lists."""
    key, sep, raw = item.partition("=")
    if not sep or not key or any(not part for part in key.split(".")):
        raise ConfigError(f"override {item!r}: expected key.sub=value")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    keys: list[str | int] = [int(p) if p.isdigit() else p for p in key.split(".")]
    return keys, value


def set_path(data: dict, keys: list[str | int], value: Any, item: str) -> None:
    node: Any = data
    for i, key in enumerate(keys[:-1]):
        nxt = keys[i + 1]
        if isinstance(node, list):
            if not isinstance(key, int) or key >= len(node):
                raise ConfigError(f"override {item!r}: no list item {key} under {dotted(keys[:i])}")
            node = node[key]
            continue
        if node.get(key) is None:
            node[key] = [] if isinstance(nxt, int) else {}
        node = node[key]
        if not isinstance(node, (dict, list)):
            raise ConfigError(f"override {item!r}: {dotted(keys[:i + 1])} is a value, not a section")
    last = keys[-1]
    if isinstance(node, list):
        if not isinstance(last, int) or last >= len(node):
            raise ConfigError(f"override {item!r}: no list item {last} under {dotted(keys[:-1])}")
    node[last] = value


def dotted(loc) -> str:
    return ".".join(str(p) for p in loc) or "<top>"


def describe_error(err: pydantic.ValidationError, path: Path, node, overridden: dict) -> str:
    """The first validation error as one line: place, key, problem, suggestion."""
    e = err.errors()[0]
    loc = [p for p in e["loc"] if not _is_union_tag(p)]
    key = dotted(loc)
    where = _where(path, node, loc, overridden)
    more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
    if e["type"] == "extra_forbidden":
        known = _known_keys(Recipe, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else (f"; known keys: {', '.join(known)}" if known else "")
        return f"{where}: {key}: unknown key{hint}{more}"
    if e["type"] == "missing":
        return f"{where}: {key}: required key is missing{more}"
    if e["type"] == "union_tag_invalid":
        ctx = e.get("ctx", {})
        return f"{where}: {key}.kind: unknown kind {ctx.get('tag')!r}; known: {ctx.get('expected_tags')}{more}"
    if e["type"] == "value_error":
        return f"{where}: {key}: {e['msg'].removeprefix('Value error, ')}{more}"
    got = e.get("input")
    shown = repr(got) if not isinstance(got, (dict, list)) else type(got).__name__
    return f"{where}: {key}: {e['msg'][:1].lower() + e['msg'][1:]}, got {shown}{more}"


def _is_union_tag(part) -> bool:
    # pydantic adds the chosen tag of a discriminated union (e.g. 'sft') or a type name to loc
    return isinstance(part, str) and (part.startswith("function-") or "[" in part)


def _where(path: Path, node, loc: list, overridden: dict) -> str:
    for keys, item in overridden.items():
        n = min(len(keys), len(loc))
        if list(keys)[:n] == loc[:n]:
            return f"override {item!r}"
    line = _line_of(node, loc)
    return f"{path}:{line}" if line else str(path)


def _line_of(node, loc: list) -> int | None:
    """1-based line of the deepest YAML node on `loc` that exists in the file."""
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            hit = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if hit is None:
                break
            line, node = hit[0].start_mark.line + 1, hit[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _known_keys(model: Any, loc: list) -> list[str]:
    """Field names of the model found at `loc` (follows lists, dicts and tagged unions)."""
    target = model
    for part in loc:
        target = _step(target, part)
        if target is None:
            return []
    target = _unwrap(target)
    if isinstance(target, type) and issubclass(target, pydantic.BaseModel):
        return sorted(target.model_fields)
    return []


def _step(target: Any, part) -> Any:
    target = _unwrap(target)
    if isinstance(target, type) and issubclass(target, pydantic.BaseModel):
        field = target.model_fields.get(str(part))
        return field.annotation if field else None
    origin, args = typing.get_origin(target), typing.get_args(target)
    if origin in (list, tuple) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        for arg in args:  # tagged union: the member whose tag literal is `part`
            lit = getattr(arg, "model_fields", {}).get("kind")
            if lit is not None and part in typing.get_args(lit.annotation):
                return arg
    return None


def _unwrap(t: Any) -> Any:
    while typing.get_origin(t) is typing.Annotated:
        t = typing.get_args(t)[0]
    args = [a for a in typing.get_args(t) if a is not type(None)]
    if typing.get_origin(t) in (typing.Union, getattr(__import__("types"), "UnionType", None)) and len(args) == 1:
        return _unwrap(args[0])
    return t


def dump_recipe(recipe: Recipe, path: str | Path) -> None:
    """Write the resolved config (every default filled in) as YAML, atomically."""
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(yaml.safe_dump(recipe.model_dump(mode="json"), sort_keys=False))
    tmp.replace(path)
