import copy

import torch

from model.load import load_vlm, vision_modules
from model.shared_images import distinct, share_repeated_images
from sft.data import collate, make_example
from tasks import generate_suite, load_suite


def repeated_batch(processor, tmp_path):
    """4 rows, 2 distinct images: rows 0 and 2 share one, rows 1 and 3 the other (different texts)."""
    generate_suite(tmp_path / "d", tasks=["count"], n_train=2, n_heldout=1)
    a, b = load_suite(tmp_path / "d", "train")
    rows = [make_example(processor, a, a.target), make_example(processor, b, b.target),
            make_example(processor, a, "<think>x</think>3"), make_example(processor, b, "<think>y</think>1")]
    batch = collate(rows, processor.tokenizer.pad_token_id)
    batch.pop("labels")
    return batch


def test_distinct_finds_exact_repeats_only():
    grid = torch.tensor([[1, 2, 2]] * 4)
    x = torch.arange(16, dtype=torch.float32).reshape(16, 1)
    x[8:12] = x[0:4]                  # image 2 == image 0
    x[12:16] = x[4:8].flip(0)         # image 3: same sum as image 1, different content
    index, firsts = distinct(x, grid)
    assert index == [0, 1, 0, 2] and firsts == [0, 1, 3]


def test_shared_tower_gives_the_same_outputs_and_gradients(tiny_model_dir, tmp_path):
    torch.manual_seed(0)
    plain, processor = load_vlm(tiny_model_dir)
    batch = repeated_batch(processor, tmp_path)
    shared = share_repeated_images(copy.deepcopy(plain))
    calls = []
    visual, _ = vision_modules(shared)
    visual.patch_embed.register_forward_hook(lambda m, args, out: calls.append(args[0].shape[0]))

    outs = []
    for model in (plain, shared):
        model.zero_grad()
        logits = model(**batch).logits
        (logits.float().pow(2).mean()).backward()
        grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None}
        outs.append((logits.detach(), grads))
    (l0, g0), (l1, g1) = outs
    assert torch.allclose(l0, l1, atol=1e-5)
    assert g0.keys() == g1.keys() and any("visual" in n for n in g0)
    for n in g0:
        assert torch.allclose(g0[n], g1[n], atol=1e-5, rtol=1e-4), n
    patches = int(batch["image_grid_thw"].prod(-1).sum())
    assert calls == [patches // 2]    # the tower saw each distinct image once

    # a deep copy keeps sharing, with its own weights
    twin = copy.deepcopy(shared)
    with torch.no_grad():
        for p in vision_modules(twin)[0].parameters():
            p.add_(0.1)
        assert not torch.allclose(twin(**batch).logits, l1, atol=1e-3)
        assert torch.allclose(shared(**batch).logits, l1, atol=1e-5)
    assert set(shared.state_dict()) == set(plain.state_dict())
