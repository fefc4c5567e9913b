"""Language pre-training data (tasks/text_skills.py): text-only option lookups and tallies."""
import random
import re

import pytest
import torch

from model.load import load_vlm
from rewards.format import check_format
from sft.data import IGNORE, collate, make_example
from tasks.text_skills import KINDS, lookup, tally, text_pairs

THINK = re.compile(r"<think>(.*)</think>(.*)")


def test_lookup_names_the_letter_of_the_asked_option():
    rng = random.Random(1)
    for _ in range(300):
        question, target = lookup(rng)
        thought, letter = THINK.fullmatch(target).groups()
        options = dict(re.findall(r"\(([A-E])\) ([a-z ]+?)(?= \(|$)", question))
        asked = re.search(r"(?:Which option is|Find|Which letter has) (.+?)[?.] \(", question).group(1)
        assert list(options) == list("ABCDE")[: len(options)] and 3 <= len(options) <= 5
        assert len(set(options.values())) == len(options)          # distinct options
        assert options[letter] == asked                            # the letter of the asked one
        assert asked in thought.lower() and thought.endswith(f", option {letter}.")


def test_lookup_by_hand():
    rng = random.Random(0)
    assert lookup(rng) == ("Find big. (A) frame (B) image (C) star (D) big",
                           "<think>The answer is big, option D.</think>D")


@pytest.mark.parametrize("seed", range(5))
def test_tally_counts_the_listed_items(seed):
    rng = random.Random(seed)
    for _ in range(100):
        question, target = tally(rng)
        listed, asked = re.fullmatch(r"I see (.+)\. How many (.+) are there\?", question).groups()
        items = [tuple(p.split(" ", 2)[1:]) for p in re.split(r", | and ", listed)]
        words = asked.split()
        if len(words) == 2 and words[1] == "shapes":               # "red shapes"
            want = sum(c == words[0] for c, _ in items)
        elif len(words) == 1:                                       # "stars"
            want = sum(s + "s" == words[0] for _, s in items)
        else:                                                       # "red stars"
            want = sum((c, s + "s") == tuple(words) for c, s in items)
        thought, answer = THINK.fullmatch(target).groups()
        assert answer == str(want)
        assert thought.startswith(f"I see {listed}. {want} of them {'is' if want == 1 else 'are'} ")
        assert check_format(target).ok


def test_tally_by_hand():
    """Every count from 0 to 5 turns up, and the wording matches the count task's traces."""
    rng = random.Random(3)
    seen = {THINK.fullmatch(tally(rng)[1]).group(2) for _ in range(2000)}
    assert seen == {str(k) for k in range(6)}


def test_text_pairs_are_text_only_deterministic_conversations():
    pairs = text_pairs(10, seed=0, per_item=3)
    assert pairs == text_pairs(10, seed=0, per_item=3)
    assert pairs != text_pairs(10, seed=1, per_item=3)
    assert len(pairs) == 10
    for record, target in pairs:
        assert record["images"] == [] and record["task"] == "text" and len(record["turns"]) == 2
        assert check_format(target).ok and all(check_format(a).ok for _, a in record["turns"])
    single = text_pairs(4, seed=0, kinds=("lookup",), per_item=1)
    assert all("turns" not in r and "option" in t for r, t in single)
    with pytest.raises(ValueError, match="per_item"):
        text_pairs(2, per_item=0)
    with pytest.raises(ValueError, match="kinds"):
        text_pairs(2, kinds=("lookup", "spelling"))
    assert set(KINDS) == {"lookup", "tally"}


def test_text_examples_train_without_images(tiny_model_dir):
    """A text-only conversation tokenises with every answer learnt and nothing else, and a batch of
    them runs through the VL model with no pixel values."""
    model, processor = load_vlm(tiny_model_dir)
    pairs = text_pairs(2, seed=0, per_item=2)
    examples = [make_example(processor, record, target) for record, target in pairs]
    for ex, (record, target) in zip(examples, pairs):
        learned = processor.tokenizer.decode(ex.input_ids[ex.labels != IGNORE])
        assert learned == target + "<|im_end|>" + record["turns"][0][1] + "<|im_end|>"
        assert len(ex.image_grid_thw) == 0
    batch = collate(examples, processor.tokenizer.pad_token_id)
    assert "pixel_values" not in batch
    assert torch.isfinite(model(**batch).loss)


def test_an_sft_stage_with_data_text_trains_on_text_skills(tmp_path):
    """`data: text` in a recipe: the stage's pairs are the text-only conversations, and the stage
    counts as pre-training (not evaluated, never the cold start)."""
    from rl.config import load_recipe
    from rl.stage_sft import sft_pairs

    recipe_path = tmp_path / "r.yaml"
    recipe_path.write_text("output_dir: out\nstages:\n  - kind: data\n"
                           "  - {kind: sft, name: language, data: text, n_text: 5, questions_per_text: 2}\n")
    recipe = load_recipe(recipe_path)
    stage = recipe.stages[1]
    assert stage.pretraining
    pairs = sft_pairs(recipe, stage, tmp_path / "unused")
    assert pairs == text_pairs(5, recipe.tasks.seed, per_item=2)
