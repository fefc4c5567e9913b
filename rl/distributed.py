"""Data-parallel learners with FSDP: `ppo.learner_workers` Learner actors, one per GPU (or CPU
process), each holding a shard of the policy, critic and reference and of their optimiser state.

Every rank gets the whole batch and works on its own prompt groups (`own_rows`): reference
log-probs and values are computed on those rows and summed across ranks (`all_reduce_sum`), so
advantages (and their normalisation over the batch) are computed identically everywhere; in the
PPO minibatches each rank runs its rows of the minibatch, losses are divided by the minibatch's
global token count, and FSDP sums the gradients (it averages, so the learner scales its backward by
the world size). Ranks must run the same number of forward passes (FSDP gathers parameters in
each): a rank with fewer micro-batches than another runs zero-weight ones (`micro_batch_count`).

Sharding (`shard`): every decoder layer of the language model is an FSDP unit (its parameters are
gathered only while it runs), and the pass module (rl/passes.py) is the root unit holding the rest
(embeddings, vision tower, LM head), gathered for the whole pass. The vision tower stays in the
root so that a micro-batch without images on one rank cannot leave another waiting. NCCL on GPUs,
gloo on CPU (which the tests use).
"""
from __future__ import annotations

import datetime
import math
import socket

import torch
import torch.distributed as dist
from torch import nn


def free_address() -> str:
    """"host:port" of this node with a free TCP port, for rank 0 to listen on."""
    try:
        import ray
        host = ray.util.get_node_ip_address()
    except Exception:  # not in Ray
        host = "127.0.0.1"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("", 0))
        port = s.getsockname()[1]
    return f"{host}:{port}"


def init(address: str, rank: int, world_size: int, device: torch.device) -> None:
    """Join the learners' process group (NCCL on CUDA, gloo otherwise)."""
    backend = "nccl" if device.type == "cuda" else "gloo"
    if device.type == "cuda":
        torch.cuda.set_device(device.index or 0)   # Ray shows each rank its own GPU(s) as cuda:0..
    dist.init_process_group(backend, init_method=f"tcp://{address}", rank=rank, world_size=world_size,
                            timeout=datetime.timedelta(minutes=10))
    global _JOINED
    _JOINED = True


_JOINED = False   # this process is a learner rank (not: some library, such as vLLM, set up torch.distributed)


def active() -> bool:
    return _JOINED


def decoder_layers(module: nn.Module) -> list[nn.Module]:
    """The language model's decoder layers inside `module` (an HF VLM or a ScalarModel)."""
    for name, child in module.named_modules():
        if name.endswith("language_model.layers") and isinstance(child, nn.ModuleList):
            return list(child)
    raise ValueError(f"{type(module).__name__}: no language_model.layers to shard")


def shard(pass_module: nn.Module) -> nn.Module:
    """FSDP (fully_shard) on every decoder layer, then on the pass module as the root unit."""
    from torch.distributed.fsdp import fully_shard

    for layer in decoder_layers(pass_module):
        fully_shard(layer)
    fully_shard(pass_module)
    return pass_module


def own_rows(group: torch.Tensor, rank: int, world_size: int) -> list[int]:
    """The rows of this rank: whole prompt groups, dealt in turn (group order)."""
    order = {g: i for i, g in enumerate(sorted(set(group.tolist())))}
    return [r for r, g in enumerate(group.tolist()) if order[g] % world_size == rank]


def micro_batch_count(rows_per_rank: list[int], size: int) -> int:
    """Micro-batches every rank runs: the most any rank needs for its rows."""
    return max(math.ceil(n / size) for n in rows_per_rank)


def all_reduce_sum(t: torch.Tensor) -> torch.Tensor:
    if active():
        dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t


def sum_stats(stats: dict[str, float], keep: tuple[str, ...] = ()) -> dict[str, float]:
    """Each key summed over ranks (a key a rank lacks counts 0); keys in `keep` (already global,
    such as gradient norms) taken from the first rank that has them."""
    if not active():
        return stats
    parts: list[dict] = [None] * dist.get_world_size()
    dist.all_gather_object(parts, stats)
    out: dict[str, float] = {}
    for part in parts:
        for k, v in part.items():
            if k in keep:
                out.setdefault(k, v)
            else:
                out[k] = out.get(k, 0.0) + v
    return out


def full_state(module: nn.Module) -> dict[str, torch.Tensor]:
    """The module's full state dict on CPU (a collective under FSDP: every rank must call it; only
    rank 0 gets the tensors, the others an empty dict)."""
    if not active():
        return {k: v.detach().cpu() for k, v in module.state_dict().items()}
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict
    return get_model_state_dict(module, options=StateDictOptions(full_state_dict=True, cpu_offload=True))


def optimizer_state(module: nn.Module, optimizer) -> dict:
    """The optimiser's full state keyed by parameter name (portable across world sizes)."""
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_optimizer_state_dict
    return get_optimizer_state_dict(module, optimizer,
                                    options=StateDictOptions(full_state_dict=True, cpu_offload=active()))


def load_optimizer_state(module: nn.Module, optimizer, state: dict) -> None:
    """Load a state written by `optimizer_state` (any world size) or by `optimizer.state_dict()`."""
    params = [p for g in state.get("param_groups", []) for p in g.get("params", [])]
    if params and all(isinstance(p, int) for p in params):   # torch's own format (one process)
        optimizer.load_state_dict(state)
        return
    from torch.distributed.checkpoint.state_dict import StateDictOptions, set_optimizer_state_dict
    set_optimizer_state_dict(module, optimizer, state,
                             options=StateDictOptions(full_state_dict=True, broadcast_from_rank0=False))


def grad_norm(norm) -> float:
    """clip_grad_norm_'s result as a float (a DTensor under FSDP)."""
    return float(norm.full_tensor() if hasattr(norm, "full_tensor") else norm)


def is_main() -> bool:
    return not active() or dist.get_rank() == 0
