"""The generative judge: verdict parsing (every mode, malformed output), templates, position-swap
averaging, reference-guided prompts, unreadable verdicts; the HF engine on the tiny VLM, and (slow)
vLLM's score log-probs against HF's."""
import pickle

import pytest

from rewards.judge import (Judge, expected_score, parse_choice, parse_score, read_template, reference_of,
                           render)
from rl.schema import JudgeConfig


@pytest.mark.parametrize("text, score", [
    ("Score: 7", 7), ("score:7", 7), ("The answer is right. Score: 9", 9), ("Rating: **8**", 8),
    ("7/10", 7), ("I give it 8 out of 10.", 8), ("[[6]]", 6), ("Score: 2 ... final [[5]]", 5),
    ("Score: 7.5", 7.5), ("There are 3 shapes, so 4", 4), ("12 shapes, 40 boxes and 3", 3),
    ("Score: 15", None), ("[[0]]", None), ("no digits here", None), ("", None), ("99 and 11", None),
])
def test_parse_score(text, score):
    assert parse_score(text) == score


@pytest.mark.parametrize("text, value", [
    ("[[A]]", 1.0), ("[[B]]", 0.0), ("[[C]]", 0.5), ("[[tie]]", 0.5), ("First [[A]], on reflection [[B]]", 0.0),
    ("Verdict: B", 0.0), ("The better answer is A.", 1.0), ("Answer A is better.", 1.0), (" B. ", 0.0),
    ("The verdict is a tie.", 0.5), ("Verdict: a good answer", None), ("Both are fine.", None), ("", None), ("A or B, hard to say", None),
])
def test_parse_choice(text, value):
    assert parse_choice(text) == value


def test_expected_score_from_log_probs():
    import math
    uniform = {k: math.log(0.1) for k in range(1, 11)}
    assert expected_score(uniform) == pytest.approx(5.5)
    sure_seven = {k: (0.0 if k == 7 else -50.0) for k in range(1, 11)}
    assert expected_score(sure_seven) == pytest.approx(7.0)
    # "10" as two tokens: the mass of "1" splits by P("0" | "1")
    only_one = {k: (0.0 if k == 1 else -50.0) for k in range(1, 10)}
    assert expected_score(only_one, logp_zero_after_one=0.0) == pytest.approx(10.0)
    assert expected_score(only_one, logp_zero_after_one=math.log(0.5)) == pytest.approx(5.5)
    assert expected_score({k: math.log(0.3) for k in range(1, 10)}) == pytest.approx(5.0)  # renormalised


def test_render_fills_once_and_templates_are_checked(tmp_path):
    out = render("Q: {question} A: {response} {unknown}", question="why {response}?", response="x")
    assert out == "Q: why {response}? A: x {unknown}"
    bad = tmp_path / "bad.txt"
    bad.write_text("Question: {question}")
    with pytest.raises(ValueError, match=r"bad.txt.*lacks \{response\}"):
        read_template(bad, "pointwise")
    with pytest.raises(ValueError, match=r"lacks \{response_a\}, \{response_b\}"):
        Judge(JudgeConfig(mode="pairwise", template=str(bad)))
    with pytest.raises(ValueError, match="nope.txt"):
        Judge(JudgeConfig(template=str(tmp_path / "nope.txt")))


class FakeBackend:
    """Records requests; answers with `reply(text_of_request) -> verdict text` (None: too long)."""

    def __init__(self, reply=None, expected=None):
        self.reply, self.expected, self.requests = reply, expected, []

    def generate(self, requests, max_tokens):
        self.requests += requests
        return [self.reply(text_of(r)) for r in requests]

    def expected_scores(self, requests, prefix):
        self.requests += requests
        return list(self.expected)


def text_of(request) -> str:
    messages, _ = request
    return messages[-1]["content"][-1]["text"]


def judge(mode="pointwise", backend=None, **kw) -> Judge:
    return Judge(JudgeConfig(mode=mode, **kw), backend=backend)


def test_pointwise_scores_and_counts_unreadable_verdicts():
    replies = iter(["Score: 10", "I cannot tell", None, "Score: 1"])
    j = judge(backend=FakeBackend(lambda _: next(replies)), unparsed_score=0.25)
    assert j.score([{"prompt": "p"}] * 4, ["a", "b", "c", "d"]) == [1.0, 0.25, 0.25, 0.0]
    assert j.stats == {"judged": 4, "unparsed": 2}
    j = judge(backend=FakeBackend(lambda _: "???"), unparsed_score=None)
    assert j.score([{"prompt": "p"}], ["a"]) == [None]   # None: the source does not apply


def test_expected_mode_maps_scores_to_unit_range():
    j = judge("expected", FakeBackend(expected=[1.0, 5.5, 10.0, None]))
    assert j.score([{"prompt": "p"}] * 4, list("abcd")) == [0.0, 0.5, 1.0, 0.5]
    assert j.stats["unparsed"] == 1


def test_position_swap_cancels_a_judge_biased_to_position_a():
    j = judge("pairwise", FakeBackend(lambda _: "[[A]]"))
    assert j.compare([{"prompt": "p"}] * 3, ["x", "good", "y"], ["good", "z", "y"]) == [0.5, 0.5, 0.5]


def test_pairwise_prefers_the_better_answer_in_both_orders():
    def prefers_good(text):
        a, b = text.split("Answer A: ")[1].split("Answer B: ")
        return "[[A]]" if "good" in a else "[[B]]" if "good" in b else "nonsense"

    backend = FakeBackend(prefers_good)
    j = judge("pairwise", backend)
    assert j.compare([{"prompt": "p"}] * 3, ["good", "bad", "meh"], ["bad", "good", "meh"]) == [1.0, 0.0, 0.5]
    assert len(backend.requests) == 6 and j.stats["unparsed"] == 1


def test_pairwise_score_uses_the_reference_else_another_solution_to_the_same_prompt():
    backend = FakeBackend(lambda _: "[[C]]")
    j = judge("pairwise", backend)
    samples = [{"prompt": "p", "reference": "There are 2 shapes."}, {"prompt": "q"}, {"prompt": "q"}]
    assert j.score(samples, ["s0", "s1", "s2"]) == [0.5, 0.5, 0.5]
    texts = [text_of(r) for r in backend.requests[:3]]
    assert "Reference answer: There are 2 shapes." in texts[0] and "Answer B: There are 2 shapes." in texts[0]
    assert "Answer A: s1" in texts[1] and "Answer B: s2" in texts[1] and "Reference" not in texts[1]
    assert "Answer A: s2" in texts[2] and "Answer B: s1" in texts[2]


def test_requests_carry_the_images_and_the_reference(tmp_path):
    from tasks import generate_suite, load_suite

    generate_suite(tmp_path / "d", tasks=["chat", "count"], n_train=1, n_heldout=1)
    chat, count = [it.to_record() for it in load_suite(tmp_path / "d", "train")]
    backend = FakeBackend(lambda _: "Score: 8")
    j = Judge(JudgeConfig(mode="pointwise"), image_root=tmp_path / "d", backend=backend)
    assert j.score([chat, count], ["There is 1 shape.", "3"]) == [pytest.approx(7 / 9)] * 2
    (m0, images0), (m1, _) = backend.requests
    assert len(images0) == 1 and images0[0].size == (112, 112)
    assert [c["type"] for c in m0[0]["content"]] == ["image", "text"]
    assert f"Reference answer: {chat['reference']}" in text_of(backend.requests[0])
    assert f"Reference answer: {count['answer']}" in text_of(backend.requests[1])
    assert reference_of({"task": "grounding", "answer": [1, 2, 3, 4]}) == "[1,2,3,4]"
    assert reference_of({"task": "chat", "answer": None}) is None


def test_custom_template_and_pickling_drop_the_engine(tmp_path):
    custom = tmp_path / "mine.txt"
    custom.write_text("Judge {question} -> {response}. Score: N")
    backend = FakeBackend(lambda _: "Score: 4")
    j = judge(backend=backend, template=str(custom), reference_template=str(custom))
    j.score([{"prompt": "why"}], ["because"])
    assert text_of(backend.requests[0]) == "Judge why -> because. Score: N"
    again = pickle.loads(pickle.dumps(j))
    assert again.backend is None and again.template == j.template


# ---------------------------------------------------------------- real engines on the tiny VLM

@pytest.fixture(scope="module")
def items(tmp_path_factory):
    from tasks import generate_suite, load_suite

    root = tmp_path_factory.mktemp("judge_suite")
    generate_suite(root, tasks=["chat"], n_train=3, n_heldout=1)
    return root, [it.to_record() for it in load_suite(root, "train")]


def engine_judge(tiny_model_dir, root, mode, engine):
    cfg = JudgeConfig(model=str(tiny_model_dir), mode=mode, engine=engine, max_tokens=8, max_model_len=512)
    return Judge(cfg, image_root=root)


def test_score_tokens_of_the_tiny_tokenizer(tiny_model_dir):
    from transformers import AutoProcessor

    from rewards.judge_engine import score_token_ids

    tok = AutoProcessor.from_pretrained(tiny_model_dir).tokenizer
    single, ten = score_token_ids(tok, "Score: ")
    assert sorted(single) == list(range(1, 10)) and ten == (single[1], tok.convert_tokens_to_ids("0"))


def test_hf_engine_judges_every_mode(tiny_model_dir, items):
    root, records = items
    solutions = [r["reference"] for r in records]
    for mode in ("expected", "pointwise", "pairwise"):
        j = engine_judge(tiny_model_dir, root, mode, "hf")
        scores = j.score(records, solutions)
        assert len(scores) == 3 and all(0.0 <= s <= 1.0 for s in scores), (mode, scores)
        assert j.stats["judged"] == 3


@pytest.mark.slow
def test_vllm_expected_scores_match_hf(tiny_model_dir, items):
    root, records = items
    solutions = [r["reference"] for r in records] + ["There are 9 shapes."] * 3
    hf = engine_judge(tiny_model_dir, root, "expected", "hf").score(records * 2, solutions)
    vllm_judge = engine_judge(tiny_model_dir, root, "expected", "vllm")
    got = vllm_judge.score(records * 2, solutions)
    assert got == pytest.approx(hf, abs=1e-3)
    assert len(set(round(x, 6) for x in got)) > 1   # a smooth score, not a constant
    vllm_judge.config = vllm_judge.config.model_copy(update={"mode": "pointwise"})
    assert all(0.0 <= s <= 1.0 for s in vllm_judge.score(records, solutions[:3]))
