"""Two learner ranks sharing a step with FSDP (gloo on CPU) train the policy and critic as one
learner does on the whole batch, and their checkpoint loads in a single learner; the same without a
critic (GRPO)."""
import pytest
import torch
import torch.multiprocessing as mp

from rl import distributed
from rl.learner import Learner, StepInputs
from rl.schema import ModelConfig, PPOConfig
from tasks import generate_suite, load_suite
from tests.test_prefix import rollout

CFG = dict(lr=1e-3, critic_lr=1e-3, warmup_steps=0, minibatches=2, micro_batch_size=4)


def batch(model_dir, data):
    from model.load import load_vlm
    items = load_suite(data, "train")
    _, processor = load_vlm(model_dir)
    r = rollout(processor, items, 3)
    return r, StepInputs(torch.linspace(-1, 1, len(r)), torch.full((len(r),), 0.05))


def rank_main(rank, model_dir, data, address, out, cfg):
    r, step_in = batch(model_dir, data)
    learner = Learner(model_dir, PPOConfig(**cfg), ModelConfig(path=model_dir), seed=0, threads=1, world_size=2)
    learner.join(address, rank)
    stats = learner.step(r, step_in)
    state = learner.policy_state()
    learner.save(str(out / "ckpt"))
    if rank == 0:
        torch.save({"stats": stats, "policy": state}, out / "rank0.pt")
    torch.distributed.barrier()
    torch.distributed.destroy_process_group()


@pytest.mark.parametrize("estimator", ["gae", "grpo"])
def test_two_fsdp_ranks_match_one_learner(tiny_model_dir, tmp_path, estimator):
    cfg = {**CFG, "estimator": estimator}
    data = tmp_path / "data"
    generate_suite(data, tasks=["count", "math", "temporal"], n_train=2, n_heldout=1)
    model_dir = str(tiny_model_dir)
    address = distributed.free_address()
    mp.spawn(rank_main, args=(model_dir, data, address, tmp_path, cfg), nprocs=2, join=True)
    got = torch.load(tmp_path / "rank0.pt", weights_only=False)

    r, step_in = batch(model_dir, data)
    single = Learner(model_dir, PPOConfig(**cfg), ModelConfig(path=model_dir), seed=0, threads=1)
    want = single.step(r, step_in)
    critic_keys = ("loss/value", "grad_norm/critic")
    assert all((k in got["stats"]) is (estimator == "gae") for k in critic_keys)
    for k in ("loss/policy", "loss/kl", "entropy", "grad_norm/policy") + critic_keys * (estimator == "gae"):
        assert abs(got["stats"][k] - want[k]) <= 1e-3 * max(1.0, abs(want[k])), (k, got["stats"][k], want[k])
    assert got["stats"]["kl_per_sample"] == want["kl_per_sample"]
    theirs = single.policy_state()
    assert set(got["policy"]) == set(theirs)
    moved = 0
    start = Learner(model_dir, PPOConfig(**cfg), ModelConfig(path=model_dir), seed=0, threads=1).policy_state()
    for k, v in theirs.items():
        # equal up to rounding; Adam's first steps turn a rounding-level gradient (about 0) into a
        # step of up to lr either way, so a few elements may differ by up to 2 x lr x 2 steps
        d = (got["policy"][k] - v).abs()
        assert float((d > 2e-5).float().mean()) < 0.01 and float(d.max()) <= 4 * CFG["lr"], k
        moved += not torch.equal(v, start[k])
    assert moved > 0

    resumed = Learner(model_dir, PPOConfig(**cfg), ModelConfig(path=model_dir), seed=0, threads=1,
                      checkpoint_dir=str(tmp_path / "ckpt"))
    assert resumed.updates == single.updates == 2
    for k, v in resumed.policy_state().items():
        assert torch.equal(v, got["policy"][k]), k
    exp_avg = resumed.policy_opt.state_dict()["state"]
    assert len(exp_avg) == len(single.policy_opt.state_dict()["state"]) > 0
