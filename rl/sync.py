"""Weight sync: the learner's HF policy weights into running rollout engines, no restart.

    sync = WeightSync()                      # learner side, one per policy
    update = sync.publish(model)             # changed tensors -> Ray object store; version += 1
    worker.load_weights.remote(update)       # the worker: fetch_tensors(update) -> engine.load_weights
    sync.latest()                            # every pushed tensor at its newest value, for a worker
                                             # that Ray restarted (it starts from the weights on disk)

What travels: only tensors that changed since the last publish, widened to their *block* (every
tensor of the same transformer layer, or of the same module outside the layers), because vLLM
fuses tensors of one layer (q/k/v -> qkv_proj, gate/up -> gate_up_proj) and re-processes a fused
layer only when all its parts arrive. A frozen vision tower therefore never travels.

Change detection, `detect=`:
  "version" (default): the last published tensor of every name is kept (a reference, not a copy).
      Same storage as then: changed iff its autograd version counter moved (free; in-place updates
      of optimizers, `load_state_dict` and `with torch.no_grad(): p.add_()` move it, writes through
      `p.data` do NOT). New storage (e.g. a state dict that came through Ray): compared by value
      with the kept tensor (keeping it also stops a new tensor from reusing its address).
  "values": compare with a copy of the last pushed values (catches `p.data` writes; one model copy).

Transport (CPU): each update is one `ray.put` of {name: flat uint8 numpy array} plus dtypes and
shapes. numpy arrays are stored once in shared memory and read zero-copy by every worker on the
node (torch tensors would be pickled: ~10x slower here). The update object holds the ObjectRefs
inside a list, so Ray hands the refs to the worker instead of resolving them in the call.

Engine side: vLLM's worker `reload_weights(weights_iterator=...)` with the HF-named tensors, then
the multimodal, encoder and prefix caches are reset (rl/engines.py). On GPU the same API works with
the in-process engine; vLLM's own options are `LLM.collective_rpc("reload_weights", ...)` through a
worker extension for tensor-parallel engines, and an NCCL group between learner and engines
(vLLM's `StatelessProcessGroup` + `PyNcclCommunicator`) for multi-node: the broadcast tensors are
then fed to the same `reload_weights` call. Not exercised here (no GPU in tests).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Iterator

import ray
import torch


@dataclass
class WeightUpdate:
    version: int
    # (object ref of {name: (uint8 array, dtype name, shape)}, names to take from it), in model order
    parts: list[tuple[ray.ObjectRef, tuple[str, ...]]] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [n for _, names in self.parts for n in names]


def block_of(name: str) -> str:
    """The unit that travels together: 'model.layers.3.mlp.up_proj.weight' -> 'model.layers.3';
    outside numbered layers, the module: 'lm_head.weight' -> 'lm_head'."""
    parts = name.split(".")
    for i, part in enumerate(parts[:-1]):
        if part.isdigit():
            return ".".join(parts[: i + 1])
    return ".".join(parts[:-1])


def to_wire(t: torch.Tensor):
    """A tensor as (flat uint8 numpy view, dtype name, shape): numpy travels zero-copy, any dtype."""
    t = t.detach()
    if t.device.type != "cpu":
        t = t.cpu()
    flat = t.contiguous().reshape(-1)
    return flat.view(torch.uint8).numpy(), str(t.dtype).removeprefix("torch."), tuple(t.shape)


def from_wire(wire) -> torch.Tensor:
    array, dtype, shape = wire
    with warnings.catch_warnings():  # read-only shared memory: the engine only copies from it
        warnings.simplefilter("ignore", UserWarning)
        flat = torch.from_numpy(array)
    return flat.view(getattr(torch, dtype)).reshape(shape)


def state_to_wire(state: dict[str, torch.Tensor]) -> dict:
    """A state dict as {name: wire}: what a Ray actor returns to hand its weights over without
    pickling tensors (numpy arrays travel through the object store zero-copy)."""
    return {name: to_wire(t) for name, t in state.items()}


def state_from_wire(wire: dict) -> dict[str, torch.Tensor]:
    """The tensors of `state_to_wire`'s output, viewing its (read-only) arrays without a copy."""
    return {name: from_wire(w) for name, w in wire.items()}


def fetch_tensors(update: WeightUpdate) -> Iterator[tuple[str, torch.Tensor]]:
    """(name, tensor) of an update, in model order, read from the object store (worker side)."""
    refs = list(dict.fromkeys(ref for ref, _ in update.parts))
    stores = dict(zip(refs, ray.get(refs)))
    for ref, names in update.parts:
        for name in names:
            yield name, from_wire(stores[ref][name])


class WeightSync:
    """Learner side: decides what changed, puts it in the object store, remembers the latest refs."""

    def __init__(self, detect: str = "version"):
        if detect not in ("version", "values"):
            raise ValueError(f"detect must be 'version' or 'values', got {detect!r}")
        self.detect = detect
        self.version = 0
        self.seen: dict[str, tuple[torch.Tensor, int]] = {}  # name -> (last published tensor or its copy, version)
        self.latest_ref: dict[str, ray.ObjectRef] = {}  # name -> ref holding its newest value
        self.order: list[str] = []

    def mark_loaded(self, state: dict[str, torch.Tensor]) -> None:
        """Record `state` as what the engines already hold (e.g. they loaded it from disk)."""
        self.order = list(state)
        for name, t in state.items():
            self.seen[name] = self.fingerprint(t)

    def fingerprint(self, t: torch.Tensor):
        t = t.detach()
        return (t.clone() if self.detect == "values" else t, t._version)

    def is_changed(self, name: str, t: torch.Tensor) -> bool:
        if name not in self.seen:
            return True
        old, version = self.seen[name]
        t = t.detach()
        if old.shape != t.shape or old.dtype != t.dtype or old.device != t.device:
            return True
        if self.detect == "version" and old.data_ptr() == t.data_ptr():
            return t._version != version
        return not torch.equal(old, t)

    def changed_blocks(self, state: dict[str, torch.Tensor]) -> list[str]:
        """Names to send: every tensor of every block in which some tensor changed."""
        blocks = {block_of(n) for n, t in state.items() if self.is_changed(n, t)}
        return [n for n in state if block_of(n) in blocks]

    def publish(self, model_or_state) -> WeightUpdate:
        """Put the changed blocks of `model_or_state` (a module or a state dict) in the object store."""
        state = model_or_state.state_dict() if isinstance(model_or_state, torch.nn.Module) else model_or_state
        names = self.changed_blocks(state)
        self.version += 1
        if not names:
            return WeightUpdate(self.version)
        ref = ray.put({n: to_wire(state[n]) for n in names})
        for n in names:
            self.seen[n] = self.fingerprint(state[n])
            self.latest_ref[n] = ref
        self.order = list(state)
        return WeightUpdate(self.version, [(ref, tuple(names))])

    def latest(self) -> WeightUpdate:
        """Every tensor pushed so far, at its newest value (what a restarted worker must load)."""
        by_ref: dict[ray.ObjectRef, list[str]] = {}
        for name in self.order:
            if name in self.latest_ref:
                by_ref.setdefault(self.latest_ref[name], []).append(name)
        return WeightUpdate(self.version, [(ref, tuple(names)) for ref, names in by_ref.items()])
