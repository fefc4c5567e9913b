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
        ("A circle is round, so", "wrong choice"), ("A circle.", "wrong choice"), ("I think so.", "no choice found"),
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


# ---- forms public graders read (benchmarks/choice_count_audit_cases.py) ----

SHAPES = ["red circle", "blue circle", "green square", "yellow triangle"]


@pytest.mark.parametrize(
    "response",
    [
        # full-width forms and Chinese answer phrases (OpenCompass first_option_postprocess, lighteval)
        "（B）", "Ｂ", "答案：（B）", "答案是B", "答案为 B。", "B是正确答案", "B不是 A", "B。不是 A", "故选B。", "选项B正确",
        # decoration (inspect_ai #5145, VLMEvalKit's split characters)
        "`B`", '"B"', 'The answer is "B".', "### B", "B!", "ANSWER: $B$",
        # lower-case letters that are marked (MMStar, inspect_ai #3910, lm-eval #4188)
        "(b) blue circle", "b. blue circle", "option b", "the answer is b because", "The correct answer is b.",
        # answer phrases
        "The answer to the question is B", "The answer is for sure B, it can't be A or C", "The answer must be B.",
        "Final choice: B", "In summary, B is the answer.", "Option B is the correct answer.",
        # cues and a final letter (lighteval, AssetOpsBench #477)
        "It's B.", "I'd go with B.", "I would pick B \u2014 a safe choice.", "Based on the image, B.",
        "Let's think. It's not A because it is red, therefore I think it's B",
        "The shape is blue and round.\n\nB", "(A) red\n(B) blue\n(C) green\n\nB",
        # a denied letter is not asserted
        "A and C are wrong, so B.", "The answer is B, C is wrong.",
    ],
)
def test_choice_public_forms(response):
    v = choice({"answer": "B"}, response)
    assert v.score == 1.0, (response, v.details)


@pytest.mark.parametrize(
    "response, reason",
    [
        ("B is wrong.", "no choice found"), ("It's clearly not B.", "no choice found"),
        ("(A) red circle\n(B) blue circle\n(C) green square", "ambiguous"),  # an echo of the options
        ("The options are A, B, C, D.", "no choice found"), ("Options: A) red B) blue", "no choice found"),
        ("answer: (a) and (b)", "ambiguous"), ("答案是 B 和 C", "ambiguous"), ("It's B or C", "ambiguous"),
        ("ANSWER: None of the above", "no choice found"), ("ANSWER: Don't know", "no choice found"),
        ("Vitamin B is essential.", "no choice found"),
        ("Point B is on top, so ABC is right-angled.", "no choice found"),
        ("The answer is b blue", "no choice found"),  # unmarked lower-case "b" followed by prose
    ],
)
def test_choice_public_forms_rejected(response, reason):
    v = choice({"answer": "B"}, response)
    assert v.score == 0.0 and reason in v.details["reason"], (response, v.details)


@pytest.mark.parametrize(
    "response, choices, expected",
    [
        ("The shape is a blue circle.", SHAPES, 1.0), ("It is blue.", ["red", "blue", "green"], 1.0),
        ("After looking at the image carefully, the object is clearly a blue circle", SHAPES, 1.0),
        ("I believe it's the blue circle", SHAPES, 1.0), ("The answer is the blue circle", SHAPES, 1.0),
        ("There are 3 apples.", ["2", "3", "4"], 1.0), ("It's a dog, not a cat.", ["cat", "dog"], 1.0),
        ("It is a blue circle.", ["circle", "blue circle"], 1.0),  # "circle" inside "blue circle" is B
        ("It is not a blue circle.", SHAPES, 0.0), ("The red circle or the blue circle.", SHAPES, 0.0),
        ("circle", SHAPES, 0.0), ("There are 3 or 4 apples.", ["2", "3", "4"], 0.0),
        # a long response is not searched whole for option texts, only its answer phrases and last line
        ("The blue circle is interesting.\n" + "More reasoning here.\n" * 20, SHAPES, 0.0),
        ("More reasoning here.\n" * 20 + "So it is the blue circle.", SHAPES, 1.0),
    ],
)
def test_choice_option_text_inside_answer(response, choices, expected):
    assert choice({"answer": "B", "choices": choices}, response).score == expected


def test_choice_empty_option_text_matches_nothing():
    assert choice({"answer": "D", "choices": ["a", "b", "c", ""]}, "").score == 0.0
    assert choice({"answer": "D", "choices": ["a", "b", "c", ""]}, "D").score == 1.0


def test_choice_contained_option_text_is_a_last_resort():
    # a letter anywhere decides before option texts are looked for
    assert extract_choice("The blue circle is (C).", SHAPES) == ({"C"}, "option mention")
    assert extract_choice("The shape is a blue circle.", SHAPES) == ({"B"}, "option text")


@pytest.mark.parametrize(
    "response, gold",
    [
        ("none", 0), ("None.", 0), ("There are none.", 0), ("<answer>none</answer>", 0), ("The answer is none.", 0),
        ("No shapes.", 0), ("There are no circles in the image.", 0), ("There is no dog.", 0), ("no dogs", 0),
        ("No one is in the picture.", 0), ("There aren't any triangles.", 0), ("I don't see any triangles.", 0),
        ("There is not a single apple.", 0), ("Answer: There are no apples", 0), ("<answer>no dogs</answer>", 0),
        ("There are no triangles, but there are 3 circles.", 3), ("None of the shapes are red; there are 4.", 4),
        ("4 shapes, none of which are red.", 4), ("There is a single apple.", 1),
        ("There are 5 circles (3 red and 2 blue).", 5), ("5 in total (3 red, 2 blue)", 5),
        ("There are 2 red and 3 blue (5 in total).", 5), ("Row 1 has 3, row 2 has 4. Total: 7", 7),
        ("The image contains 4 objects in all: 2 cats and 2 dogs.", 4), ("I see 3 dogs (and one cat).", 3),
        ("(5)", 5), ("answer: 2 + 3 = 5", 5), ("The answer is 5 = 2 + 3", 5),
        ("Answer: 3 red and 2 blue, 5 in total", 5),
        ("**Answer**: 4\n\nI counted 2 red and 2 blue.", 4), ("`4`", 4), ("3个", 3), ("共有３个苹果", 3), ("答案是5", 5),
        ("There are two dogs. One is black.", 2), ("Only one is visible.", 1), ("one hundred and five", 105),
        ("a hundred twenty-one", 121),
    ],
)
def test_count_public_forms(response, gold):
    v = count({"answer": gold}, response)
    assert v.score == 1.0, (response, v.details)


@pytest.mark.parametrize(
    "response, gold",
    [
        ("No idea.", 0), ("No.", 0), ("There is no way to know.", 0), ("There is no image.", 0),
        ("I can't count them.", 0),
        ("Not sure.", 0), ("\u00b2", 2), ("x\u00b2", 2), ("There is not a single apple.", 1), ("none of them", 0),
        ("There are 5 circles (3 red and 2 blue).", 2), ("No one is in the picture.", 1),
    ],
)
def test_count_public_forms_rejected(response, gold):
    assert count({"answer": gold}, response).score == 0.0, response


# ---- adversarial long inputs: no quadratic or worse parse (CPU time of this process, so a busy
# machine does not fail them; 0.53 s was the slowest here, under a concurrent training run) ----

LONG = [
    "1" * 100_000, "\x00" * 100_000, "a " * 50_000, "a" + " " * 100_000, "answer is " * 10_000, "answer: " * 12_000,
    "\\boxed{" * 14_000, "\\boxed{" + "{" * 100_000, "<answer>" * 12_000, "(A)" * 33_000, "A " * 50_000,
    "A or " * 20_000, "option " * 14_000, "twenty " * 14_000, "3." * 50_000, "1,000" * 20_000, "*" * 100_000,
    "B\x00" * 50_000, "one hundred " * 8_000, "\\text{" * 16_000,
    "it's " * 20_000, ", B" * 33_000, "no " * 33_000, "total " * 16_000, "(" * 100_000, "1 (2 " * 20_000,
    "A is the answer " * 6_000, "答案" * 50_000, "（Ｂ）" * 25_000, "1 in total " * 9_000, "aren't any " * 9_000,
    "circle " * 14_000, "not circle " * 9_000, "so B. " * 16_000, "b. " * 33_000, "option a bit " * 8_000,
    "B\n" * 50_000, "(A) x\n" * 16_000, "one is " * 14_000, "a hundred and " * 7_000, "Answer: 2 + " * 8_000,
]


@pytest.mark.parametrize("response", LONG)
def test_count_long_inputs_are_fast(response):
    start = time.process_time()
    count({"answer": 3}, response)
    assert time.process_time() - start < 1.0


@pytest.mark.parametrize("response", LONG)
def test_choice_long_inputs_are_fast(response):
    start = time.process_time()
    choice({"answer": "B", "choices": CHOICES}, response)
    assert time.process_time() - start < 1.0
