import pytest
import torch

from model.load import load_vlm
from sft.data import IGNORE, collate, make_example
from sft.trainer import SFTSettings, lr_at, train_sft
from tasks import generate_suite, load_suite


def suite(tmp_path, n=4):
    generate_suite(tmp_path / "data", tasks=["count", "math"], n_train=n, n_heldout=1, seed=0)
    return load_suite(tmp_path / "data", "train")


def test_labels_cover_only_the_response(tiny_model_dir, tmp_path):
    model, processor = load_vlm(tiny_model_dir)
    item = suite(tmp_path)[0]
    ex = make_example(processor, item, item.target)
    learned = processor.tokenizer.decode(ex.input_ids[ex.labels != IGNORE])
    assert learned == item.target + "<|im_end|>"
    assert (ex.labels[: len(ex.labels) - len(ex.labels[ex.labels != IGNORE])] == IGNORE).all()
    batch = collate([ex, make_example(processor, item, "<think>x</think>1")], processor.tokenizer.pad_token_id)
    assert batch["input_ids"].shape == batch["labels"].shape == batch["attention_mask"].shape
    assert batch["image_grid_thw"].shape[0] == 2
    assert torch.isfinite(model(**batch).loss)


def test_follow_up_turns_learn_every_answer_and_nothing_else(tiny_model_dir, tmp_path):
    """An item with `turns`: one image, several questions; exactly the answers (each with its
    <|im_end|>) are learnt, the questions and the chat scaffolding between them are not."""
    model, processor = load_vlm(tiny_model_dir)
    item = suite(tmp_path)[0]
    record = {"id": item.id, "images": list(item.images), "image_root": str(item.image_root),
              "prompt": "How many shapes are there?", "turns": [["What colour is the square?", "blue"],
                                                                  ["Where is the red star?", "top left"]]}
    ex = make_example(processor, record, "3")
    labelled = (ex.labels != IGNORE).int()
    starts = [i for i in range(len(labelled)) if labelled[i] and (i == 0 or not labelled[i - 1])]
    runs = [processor.tokenizer.decode(ex.input_ids[a:a + int(labelled[a:].cumprod(0).sum())]) for a in starts]
    assert runs == ["3<|im_end|>", "blue<|im_end|>", "top left<|im_end|>"]
    assert (ex.labels[labelled.bool()] == ex.input_ids[labelled.bool()]).all()
    text = processor.tokenizer.decode(ex.input_ids)
    assert text.count("<|image_pad|>") == int(ex.image_grid_thw.prod(-1).sum()) // 4   # one image, expanded once
    assert "<|im_start|>user\nWhere is the red star?<|im_end|>\n<|im_start|>assistant\ntop left" in text
    single = make_example(processor, {**record, "turns": []}, "3")
    assert torch.equal(single.input_ids, ex.input_ids[:len(single.input_ids)])
    with pytest.raises(ValueError, match=r"turns\[0\] must be \[question, answer\]"):
        make_example(processor, {**record, "turns": [["only a question"]]}, "3")


def test_lr_schedule_warms_up_then_decays():
    s = SFTSettings(steps=100, lr=1.0, warmup_steps=10, min_lr_ratio=0.1)
    assert lr_at(0, s) == 0.1 and lr_at(9, s) == 1.0
    assert abs(lr_at(10, s) - 1.0) < 1e-9 and abs(lr_at(100, s) - 0.1) < 1e-9
    assert lr_at(50, s) < lr_at(20, s)


@pytest.mark.parametrize("autocast", [None, "bf16"])
def test_sft_moves_every_trainable_part_and_lowers_loss(tiny_model_dir, tmp_path, autocast):
    model, processor = load_vlm(tiny_model_dir)
    pairs = [(it, it.target) for it in suite(tmp_path, n=2)]
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    out = train_sft(model, processor, pairs, SFTSettings(steps=30, batch_size=4, lr=3e-3, warmup_steps=2,
                                                         autocast=autocast))
    assert out["steps"] == 30 and out["loss_last"] < out["loss_first"] - 1.0
    changed = {n for n, p in model.named_parameters() if not torch.equal(p, before[n])}
    assert any(n.startswith("model.visual.blocks") for n in changed)        # vision tower
    assert any(".merger." in n for n in changed)                             # adapter
    assert any(n.startswith("model.language_model") for n in changed)       # LLM
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert all(p.dtype == torch.float32 for p in model.parameters())   # bf16 only inside the forward


def test_frozen_vision_does_not_move(tiny_model_dir, tmp_path):
    model, processor = load_vlm(tiny_model_dir, freeze_vision=True, freeze_adapter=True)
    pairs = [(it, it.target) for it in suite(tmp_path, n=1)]
    before = {n: p.detach().clone() for n, p in model.named_parameters() if "visual" in n}
    train_sft(model, processor, pairs, SFTSettings(steps=2, batch_size=2, warmup_steps=1))
    assert all(torch.equal(p, before[n]) for n, p in model.named_parameters() if "visual" in n)
