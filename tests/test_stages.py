"""The stage chain without RL (slow: evaluation starts Ray and an HF engine): vision, captions and
VQA pre-training stages, the cold start, a later stage, the control, a resume that redoes nothing,
and benchmarks/evaluate.py on a checkpoint of the run."""
import json

import pytest

from rl.run import main
from tasks import generate_suite, load_suite
from tasks.captions import PROMPT, caption, caption_pairs

RECIPE = """
model: {path: "tiny:tiny"}
tasks: {n_train: 6, n_heldout: 2, names: [count, choice], cold_start: {n_per_task: 2}}
rollout: {engine: hf, n: 2, max_tokens: 8}
control: true
stages:
  - kind: data
  - {kind: vision, steps: 2, batch_size: 4}
  - {kind: sft, name: pretrain, data: captions, n_captions: 8, steps: 2, batch_size: 4}
  - {kind: sft, name: perceive, data: vqa, n_vqa: 8, steps: 2, batch_size: 4, lr: 3.0e-4, vision_lr_mult: 0.1}
  - {kind: sft, name: sft, steps: 2, batch_size: 4}
  - {kind: sft, name: more, data: all, steps: 2, batch_size: 4}
"""


def test_caption_lists_shapes_left_to_right_with_their_places():
    meta = {"image_size": [100, 200], "shapes": [
        {"shape": "square", "colour": "blue", "box_px": [50, 0, 100, 100]},
        {"shape": "circle", "colour": "red", "box_px": [0, 100, 50, 200]}]}
    assert caption(meta) == "a red circle at the bottom left; a blue square at the top right; 2 shapes."
    assert caption({"image_size": [10, 10], "shapes": [meta["shapes"][0]]}).endswith("; 1 shape.")


def test_caption_pairs_use_fresh_images_and_their_own_prompt(tmp_path):
    generate_suite(tmp_path / "suite", tasks=["chat"], n_train=4, n_heldout=1)
    suite = {p for it in load_suite(tmp_path / "suite", "train") for p in it.image_paths}
    pairs = caption_pairs(tmp_path / "captions", 4)
    assert len(pairs) == 4 and all(r["prompt"] == PROMPT and "<think>" not in t for r, t in pairs)
    paths = {tmp_path / "captions" / p for r, _ in pairs for p in r["images"]}
    assert all(p.is_file() for p in paths)
    assert not {p.read_bytes() for p in paths} & {p.read_bytes() for p in suite}


@pytest.mark.slow
def test_chain_records_cold_start_first_writes_the_control_and_resumes(tmp_path):
    recipe = tmp_path / "r.yaml"
    recipe.write_text(RECIPE)
    out = tmp_path / "run"
    assert main([str(recipe), f"output_dir={out}"]) == 0
    record = json.loads((out / "stages.json").read_text())
    assert [e["name"] for e in record["finished"]] == ["data", "vision", "pretrain", "perceive", "sft", "more"]
    assert record["finished"][1]["summary"]["steps"] == 2
    assert record["finished"][-1]["state"]["cold_start_dir"] == str(out / "sft" / "model")
    data = json.loads((out / "eval.json").read_text())
    assert [e["stage"] for e in data["stages"]] == ["sft", "more"]   # the cold start comes first
    prior = data["prior"]                # the constant-answer baseline, from the train split
    assert prior["stage"] == "majority_answer" and set(prior["answers"]) == {"count", "choice"}
    assert set(prior["accuracy"]) == {"count", "choice"} and "majority_answer" in (out / "eval.md").read_text()
    control = data["control"]
    assert control["stage"] == "sft_only" and set(control["accuracy"]) == {"count", "choice"}
    assert control["mean_verifiable"] is not None
    assert (out / "control" / "model").is_dir() and (out / "eval.md").is_file()
    stamps = {p: p.stat().st_mtime for p in out.glob("*/model/*.safetensors")}
    # resume: every stage finished and the control recorded, so nothing is redone
    assert main([str(recipe), f"output_dir={out}", "resume=true"]) == 0
    assert json.loads((out / "stages.json").read_text()) == record
    assert json.loads((out / "eval.json").read_text()) == data
    assert {p: p.stat().st_mtime for p in out.glob("*/model/*.safetensors")} == stamps
    # benchmarks/evaluate.py scores a checkpoint of the run again as the chain did, with overrides
    from benchmarks.evaluate import main as evaluate
    again = evaluate([str(out), str(out / "sft" / "model")])
    assert again["accuracy"] == data["stages"][0]["accuracy"] and again["n"] == data["stages"][0]["n"]
    penalised = evaluate([str(out), str(out / "sft" / "model"), "eval.repetition_penalty=1.2"])
    assert penalised["overrides"] == ["eval.repetition_penalty=1.2"] and penalised["n"] == again["n"]
    with pytest.raises(SystemExit, match="no stages.json"):
        evaluate([str(tmp_path), str(out / "sft" / "model")])
