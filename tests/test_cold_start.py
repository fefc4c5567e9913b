"""The cold-start set (tasks/cold_start.py): wrong, sloppy and short-style traces, and the RL pool."""
import re

import pytest

from tasks import generate_suite, load_suite
from tasks.cold_start import cold_start_pairs, short_trace
from tasks.io import TaskItem
from verifiers import get_verifier

THINK = re.compile(r"<think>(.*)</think>(.*)", re.S)


def verify(it, answer: str) -> float:
    return get_verifier(it.task)(it.to_record(), answer).score


def item(task, answer, cot="", **meta):
    return TaskItem(id="x", task=task, prompt="p", images=[], answer=answer, cot=cot, meta=meta)


@pytest.mark.parametrize("colour, shape, answer, thought", [
    ("red", None, "2", "There are 2 red shapes."),
    (None, "circle", "1", "There is 1 circle."),
    ("red", "star", "0", "There are 0 red stars."),
    (None, None, "3", "There are 3 shapes."),
    ("blue", "square", "1", "There is 1 blue square."),
])
def test_short_count_trace_by_hand(colour, shape, answer, thought):
    got = short_trace(item("count", answer, "I see ...", query={"colour": colour, "shape": shape}))
    assert got == (thought, answer)


def test_short_choice_trace_by_hand():
    assert short_trace(item("choice", "D", "The circle is green, option D.", answer_option="green")) == \
        ("The circle is green.", "green")
    assert short_trace(item("choice", "C", "The yellow object is a circle, option C.", answer_option="circle")) == \
        ("The yellow object is a circle.", "circle")
    extreme = ("From left to right: the red star, the blue square and the orange star. "
               "The rightmost is the orange star, option A.")
    assert short_trace(item("choice", "A", extreme, answer_option="orange star")) == \
        ("The rightmost is the orange star.", "orange star")
    assert short_trace(item("choice", "A", "no option sentence", answer_option="x")) is None
    assert short_trace(item("math", "54", "9 * 6 = 54")) is None
    assert short_trace(item("grounding", [1, 2, 3, 4], "The red star is at the top left.")) is None


@pytest.fixture(scope="module")
def train_items(tmp_path_factory):
    out = tmp_path_factory.mktemp("cold")
    generate_suite(out, tasks=["count", "choice", "math"], n_train=60, n_heldout=2, seed=0)
    return load_suite(out, "train")


def test_rates_and_the_pool(train_items):
    pairs, pool = cold_start_pairs(train_items, 40, wrong_rate=0.25, sloppy_rate=0.25, seed=0)
    assert len(pairs) == 3 * 40 and len(pool) == 3 * 20
    assert not {it.id for it, _ in pairs} & {it.id for it in pool}
    wrong = [(it, t) for it, t in pairs if THINK.fullmatch(t).group(2) != it.answer_text]
    sloppy = [(it, t) for it, t in pairs if THINK.fullmatch(t).group(1) != it.cot
              and THINK.fullmatch(t).group(2) == it.answer_text]
    assert 0.1 < len(wrong) / len(pairs) < 0.4 and 0.1 < len(sloppy) / len(pairs) < 0.4
    for it, t in wrong:
        assert verify(it, THINK.fullmatch(t).group(2)) == 0.0
    for it, t in sloppy:
        assert it.cot.startswith(THINK.fullmatch(t).group(1))


def test_short_style_changes_only_clean_count_and_choice_traces(train_items):
    base, pool = cold_start_pairs(train_items, 40, 0.2, 0.2, seed=0)
    assert cold_start_pairs(train_items, 40, 0.2, 0.2, seed=0, short_rate=0.0) == (base, pool)
    short, pool_short = cold_start_pairs(train_items, 40, 0.2, 0.2, seed=0, short_rate=1.0)
    assert [it.id for it in pool_short] == [it.id for it in pool]
    changed = 0
    for (it, old), (it2, new) in zip(base, short):
        assert it.id == it2.id
        if old == it.target and it.task in ("count", "choice"):   # a clean trace: in the short style
            thought, answer = THINK.fullmatch(new).groups()
            assert (thought, answer) == short_trace(it)
            assert verify(it, answer) == 1.0    # "green" answers a choice item
            changed += 1
        else:
            assert new == old                                        # wrong, sloppy or math: as before
    assert changed > 30
    half, _ = cold_start_pairs(train_items, 40, 0.2, 0.2, seed=0, short_rate=0.5)
    assert 0 < sum(a != b for a, b in zip(base, half)) < changed


def test_choice_probe_bench_on_a_tiny_model(tiny_model_dir, tmp_path, capsys):
    """benchmarks/choice_probe.py: shares in [0, 1] for each step on the suite's colour/shape items,
    and a clear error for a suite without them."""
    import json

    from benchmarks.choice_probe import main

    generate_suite(tmp_path / "data", tasks=["choice", "count"], n_train=2, n_heldout=12, seed=0)
    result = main([str(tiny_model_dir), "--suite", str(tmp_path / "data"), "--items", "3", "--threads", "1"])
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == result
    assert 1 <= result["items"] <= 3
    assert all(0.0 <= result[k] <= 1.0 for k in ("copy", "see", "map", "greedy"))
    generate_suite(tmp_path / "counts", tasks=["count"], n_train=2, n_heldout=2, seed=0)
    with pytest.raises(SystemExit, match="no held-out colour_of"):
        main([str(tiny_model_dir), "--suite", str(tmp_path / "counts")])


def test_count_probe_parses_lists_and_tallies_them():
    from benchmarks.count_probe import listed, tally

    names = listed("<think>I see a red circle, an orange star and a red square. 2 of them are red.</think>2")
    assert names == ["red circle", "orange star", "red square"]
    assert tally(names, {"colour": "red", "shape": None}) == 2
    assert tally(names, {"colour": "red", "shape": "square"}) == 1
    assert tally(names, {"colour": None, "shape": None}) == 3
    assert listed("<think>I see a blue square. 1 of them is blue.") == ["blue square"]
    assert listed("<think>There are 2.</think>2") is None


def test_count_probe_bench_on_a_tiny_model(tiny_model_dir, tmp_path, capsys):
    """benchmarks/count_probe.py: shares in [0, 1] for each step, and a clear error without count items."""
    import json

    from benchmarks.count_probe import main

    generate_suite(tmp_path / "data", tasks=["count"], n_train=2, n_heldout=3, seed=0)
    result = main([str(tiny_model_dir), "--suite", str(tmp_path / "data"), "--items", "2", "--threads", "1"])
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == result
    assert result["items"] == 2
    assert all(0.0 <= result[k] <= 1.0 for k in ("list", "size", "recall", "tally", "consistent", "greedy"))
    generate_suite(tmp_path / "math", tasks=["math"], n_train=2, n_heldout=2, seed=0)
    with pytest.raises(SystemExit, match="no held-out count items"):
        main([str(tiny_model_dir), "--suite", str(tmp_path / "math")])
