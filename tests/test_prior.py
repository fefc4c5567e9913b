"""The answer-prior baseline (rl/prior.py) on hand-worked items."""
from rl.config import load_recipe
from rl.prior import constant_answers, prior_accuracy
from rl.report import table
from tasks.io import TaskItem

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def item(task, answer, i=0, **meta):
    return TaskItem(id=f"{task}-{i}", task=task, prompt="?", images=[], answer=answer, meta=meta)


def test_constant_answers_take_the_mode_and_the_median_box():
    train = [item("count", a, i) for i, a in enumerate(["1", "2", "1", "0", "1", "2"])]
    train += [item("choice", a, i) for i, a in enumerate(["B", "A", "B", "A"])]      # a tie: the first by text
    train += [item("grounding", b, i) for i, b in enumerate([[10, 10, 100, 100], [20, 40, 200, 300],
                                                              [30, 20, 150, 120]])]
    train += [item("chat", None)]                                                  # no answer: no prior
    assert constant_answers(train) == {"count": "1", "choice": "A", "grounding": "[20,20,150,120]"}


def test_prior_accuracy_scores_the_constant_answers_with_the_recipes_verifiers():
    recipe = load_recipe(ROOT / "recipes" / "hybrid_rl.yaml")
    train = [item("count", a, i) for i, a in enumerate(["1", "1", "3"])]
    train += [item("choice", "C", 0, choices=["red", "blue", "green", "pink"])]
    train += [item("grounding", [100, 100, 300, 300], 0)]
    train += [item("chat", None, 0, reference="a red circle")]
    heldout = [item("count", a, i + 10) for i, a in enumerate(["1", "2", "0", "1"])]       # "1": 2 of 4
    heldout += [item("choice", a, i + 10, choices=["red", "blue", "green", "pink"]) for i, a in enumerate("CAB")]
    heldout += [item("grounding", [110, 110, 310, 310], 10),     # IoU 0.82: a hit at the threshold 0.5
                item("grounding", [600, 600, 800, 800], 11)]     # no overlap
    heldout += [item("chat", None, 10, reference="a blue square")]
    result = prior_accuracy(recipe.rewards, train, heldout)
    assert result["stage"] == "majority_answer"
    assert result["answers"] == {"count": "1", "choice": "C", "grounding": "[100,100,300,300]"}   # chat: RM-scored
    assert result["accuracy"] == {"choice": round(1 / 3, 4), "count": 0.5, "grounding": 0.5}
    assert result["mean_verifiable"] == round((0.5 + 0.5 + round(1 / 3, 4)) / 3, 4)   # math absent: not averaged
    assert result["n"] == 9
    row = table({"prior": result, "stages": [{"stage": "sft", "accuracy": {"count": 0.6}, "mean_verifiable": 0.6}]})
    assert row.splitlines()[2].startswith("| majority_answer | 0.333 | 0.500 | 0.500 |")
    assert row.splitlines()[3].startswith("| sft | - | 0.600 | - |")


def test_prior_accuracy_without_items_is_empty():
    recipe = load_recipe(ROOT / "recipes" / "hybrid_rl.yaml")
    result = prior_accuracy(recipe.rewards, [], [])
    assert result["accuracy"] == {} and result["mean_verifiable"] is None and result["n"] == 0
