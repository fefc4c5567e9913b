import time

import pytest

import verifiers
from verifiers.choice import choice, extract_choice
from verifiers.counting import count, extract_count


def test_registered():
    assert verifiers._REGISTRY["count"] is count
    assert verifiers._REGISTRY["choice"] is choice


# ---- counting ----


@pytest.mark.parametrize(
    "response, gold",
    [
        ("3", 3), ("3 shapes", 3), ("There are 3.", 3), ("answer: 3", 3), ("Answer = 3", "3"), ("\\boxed{3}", 3),
        ("<answer>3</answer>", 3), ("<answer> 3 circles </answer>", 3), ("3.0", 3), ("zero", 0),
        ("There are no... 0", 0),
        ("three", 3), ("Seven", 7), ("seventeen", 17), ("twenty", 20), ("twenty-one", 21), ("Ninety nine", 99),
        ("a hundred", 100), ("one hundred", 100), ("1,200 dots", 1200), ("I see 2 red and 3 blue, 5 in all", 5),
        ("I counted 2 then 4, so the answer is 4 of the 7 shapes.", 4), ("\\boxed{4} (not 5)", 4),
        ("<answer>4</answer> though 5 is possible", 4), ("The answer is: **6**", 6), ("\\boxed{\\text{8}}", 8),
        ("There are 3 shapes.", "3"), ("3", " 3 "), ("3", 3.0), ("There are 2 red, so 2 + 1 = 3", 3),
        ("There are 4 shapes; the one on the left is red.", 4), ("4 shapes, one of them red", 4), ("One", 1),
        ("Just one.", 1),
    ],
)
def test_count_correct(response, gold):
    v = count({"task": "count", "answer": gold}, response)
    assert v.score == 1.0, v.details


@pytest.mark.parametrize(
    "response, gold, reason",
    [
        ("4", 3, "wrong count"), ("There are four.", 3, "wrong count"), ("3.5", 3, "not an integer"),
        ("about 3.5 shapes", 3, "not an integer"), ("-3", 3, "wrong count"), ("\\boxed{4} but 3", 3, "wrong count"),
        ("<answer>2</answer> 3", 3, "wrong count"), ("answer: 5. There are 3", 3, "wrong count"),
        ("no idea", 3, "no number found"), ("", 3, "no number found"), ("\\boxed{many}", 3, "no number in boxed"),
        ("<answer>several</answer> 3", 3, "no number in answer tag"), ("the 3rd shape", 3, "no number found"),
        ("x3", 3, "no number found"), ("thirty", 3, "wrong count"), ("3 4", 3, "wrong count"),
        ("twenty-one", 20, "wrong count"),
    ],
)
def test_count_wrong(response, gold, reason):
    v = count({"answer": gold}, response)
    assert v.score == 0.0 and reason in v.details["reason"]


def test_count_sources():
    assert extract_count("\\boxed{2}") == (2, "boxed")
    assert extract_count("<answer>2</answer>") == (2, "answer tag")
    assert extract_count("answer is 2") == (2, "answer phrase")
    assert extract_count("1 then 2") == (2, "last number")
    assert extract_count("the answer is unclear, maybe 6") == (6, "answer phrase")
    assert extract_count("the answer is unclear" + "." * 300 + " 6") == (6, "last number")


@pytest.mark.parametrize("gold", [None, ""])
def test_count_no_gold(gold):
    assert count({"answer": gold}, "3") is None


@pytest.mark.parametrize("gold", ["three", "3.5", 2.5, [3]])
def test_count_bad_gold(gold):
    with pytest.raises(ValueError):
        count({"answer": gold}, "3")


# ---- multiple choice ----

CHOICES = ["A circle", "A square", "a triangle", "none of these"]


@pytest.mark.parametrize(
    "response",
    [
        "B", "b", "(B)", "B.", "B)", "B: a square", "B. A square", "answer: B", "Answer: (B)", "The answer is B.",
        "the answer is B because it has four corners", "The correct option is B", "\\boxed{B}", "\\boxed{\\text{B}}",
        "$\\boxed{(B)}$", "<answer>B</answer>", "<answer>(B) A square</answer>", "option B", "I pick option B.",
        "It must be (B).", "**Answer:** B", "Final answer: b", "The answer is option B", "B is correct.",
        "The answer is B.\n\\boxed{B}", "[B]", "A square", "The answer is A square.", "<answer>a square</answer>",
    ],
)
def test_choice_correct(response):
    v = choice({"task": "choice", "answer": "B", "choices": CHOICES}, response)
    assert v.score == 1.0, v.details


@pytest.mark.parametrize(
    "response, reason",
    [
        ("C", "wrong choice"), ("(A)", "wrong choice"), ("answer: A", "wrong choice"), ("\\boxed{D}", "wrong choice"),
        ("A circle is round, so", "no choice found"), ("A circle.", "wrong choice"), ("I think so.", "no choice found"),
        ("The answer is A or B", "ambiguous"), ("answer: A, B", "ambiguous"), ("The answer is A/B", "ambiguous"),
        ("\\boxed{A} \\boxed{B}", "ambiguous"), ("The answer is B. \\boxed{C}", "ambiguous"),
        ("<answer>A</answer> the answer is B", "ambiguous"), ("(A) or (B)", "ambiguous"),
        ("Option A is wrong, option B is right", "ambiguous"), ("", "no choice found"),
        ("B-cells divide", "no choice found"),
        ("A triangle", "wrong choice"), ("\\boxed{}", "no choice found"),
        ("The answer is A circle.", "wrong choice"), ("The answer is E", "wrong choice"),
    ],
)
def test_choice_wrong(response, reason):
    v = choice({"answer": "B", "choices": CHOICES}, response)
    assert v.score == 0.0 and reason in v.details["reason"], v.details


@pytest.mark.parametrize("gold", ["B", "(B)", "b", " B. ", "[B]", "A square"])
def test_choice_gold_forms(gold):
    assert choice({"answer": gold, "choices": CHOICES}, "(B)").score == 1.0
    assert choice({"answer": gold, "choices": CHOICES}, "(C)").score == 0.0


def test_choice_article_a_vs_letter_a():
    sample = {"answer": "A"}
    assert choice(sample, "A").score == 1.0
    assert choice(sample, "A.").score == 1.0
    assert choice(sample, "A is the answer").score == 1.0
    assert choice(sample, "The answer is A because the circle is round").score == 1.0
    assert choice(sample, "A circle is round.").score == 0.0
    assert choice(sample, "A square has four sides, so the answer is C").score == 0.0
    assert choice(sample, "I think the answer is C").score == 0.0


def test_choice_text_needs_choices():
    assert choice({"answer": "B"}, "A square").score == 0.0
    assert extract_choice("A square", CHOICES) == ({"B"}, "option text")


def test_choice_options_with_letter_prefixes():
    choices = ["A. circle", "B. square"]
    assert choice({"answer": "B", "choices": choices}, "square").score == 1.0
    assert choice({"answer": "B", "choices": choices}, "circle").score == 0.0


@pytest.mark.parametrize("gold", [None, ""])
def test_choice_no_gold(gold):
    assert choice({"answer": gold}, "B") is None


@pytest.mark.parametrize("gold", ["AB", "7", "a pentagon"])
def test_choice_bad_gold(gold):
    with pytest.raises(ValueError):
        choice({"answer": gold, "choices": CHOICES}, "B")


# ---- adversarial long inputs ----

LONG = [
    "1" * 100_000, "\x00" * 100_000, "a " * 50_000, "a" + " " * 100_000, "answer is " * 10_000, "answer: " * 12_000,
    "\\boxed{" * 14_000, "\\boxed{" + "{" * 100_000, "<answer>" * 12_000, "(A)" * 33_000, "A " * 50_000,
    "A or " * 20_000, "option " * 14_000, "twenty " * 14_000, "3." * 50_000, "1,000" * 20_000, "*" * 100_000,
    "B\x00" * 50_000, "one hundred " * 8_000, "\\text{" * 16_000,
]


@pytest.mark.parametrize("response", LONG)
def test_count_long_inputs_are_fast(response):
    start = time.perf_counter()
    count({"answer": 3}, response)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("response", LONG)
def test_choice_long_inputs_are_fast(response):
    start = time.perf_counter()
    choice({"answer": "B", "choices": CHOICES}, response)
    assert time.perf_counter() - start < 1.0
