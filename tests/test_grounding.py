import itertools
import math
import random
import time

import pytest

import verifiers
from verifiers.grounding import MAX_SHAPES, best_assignment, grounding, iou, parse_gold, parse_shapes

BOX = [100, 100, 300, 300]
NEAR = "[110, 110, 310, 310]"  # IoU 0.82 with BOX
FAR = "[500, 500, 700, 700]"  # IoU 0


def score(response, **sample):
    sample.setdefault("answer", BOX)
    return grounding({"task": "grounding", **sample}, response)


def test_registered():
    assert verifiers._REGISTRY["grounding"] is grounding


def test_iou():
    assert iou([0, 0, 10, 10], [0, 0, 10, 10]) == 1.0
    assert iou([0, 0, 10, 10], [5, 0, 15, 10]) == pytest.approx(50 / 150)
    assert iou([0, 0, 10, 10], [10, 0, 20, 10]) == 0.0


@pytest.mark.parametrize(
    "response",
    [
        "[110, 110, 310, 310]",
        "[110.0,110.5,310,310.25]",
        "The cup is at (110, 110), (310, 310).",
        "(110,110)-(310,310)",
        "<box>(110,110),(310,310)</box>",
        "<box>110 110 310 310</box>",
        "<box>[110, 110, 310, 310]</box>",
        "<|box_start|>(110,110),(310,310)<|box_end|>",
        "<|object_ref_start|>the cup<|object_ref_end|><|box_start|>(110,110),(310,310)<|box_end|>",
        '{"bbox_2d": [110, 110, 310, 310], "label": "cup"}',
        '[{"bbox_2d": [110, 110, 310, 310], "label": "cup"}]',
        '```json\n[\n  {"bbox_2d": [110, 110, 310, 310], "label": "cup 2"}\n]\n```',
        "{'bbox_2d': [110, 110, 310, 310]}",
        "<answer>[110, 110, 310, 310]</answer>",
        "I looked at [0, 0, 50, 50] first. <answer>[110, 110, 310, 310]</answer>",
        "[110, 110, 310, 310] and again [110, 110, 310, 310]",  # exact duplicates count once
    ],
)
def test_box_forms_hit(response):
    v = score(response)
    assert v.score == 1.0, v.details
    assert v.details["iou"] == pytest.approx(iou([110, 110, 310, 310], BOX), abs=0.01)


@pytest.mark.parametrize(
    "response",
    [FAR, "(500,500),(700,700)", "<box>500 500 700 700</box>", '{"bbox_2d": [500,500,700,700]}',
     "<|box_start|>(500,500),(700,700)<|box_end|>", "[200, 200, 400, 400]"],
)
def test_box_forms_miss(response):
    v = score(response)
    assert v.score == 0.0 and "reason" in v.details


def test_iou_mode_and_threshold():
    half = "[100, 100, 300, 200]"  # IoU 0.5
    assert score(half).score == 1.0
    assert score(half, iou_threshold=0.75).score == 0.0
    assert score(half, iou_mode="iou").score == pytest.approx(0.5)
    assert score(FAR, iou_mode="iou").score == 0.0
    with pytest.raises(ValueError):
        score(half, iou_mode="giou")
    with pytest.raises(ValueError):
        score(half, iou_threshold=0)


@pytest.mark.parametrize(
    "response, reason",
    [
        ("[nan, 110, 310, 310]", "non-finite"),
        ("[110, 110, inf, 310]", "non-finite"),
        ('{"bbox_2d": [NaN, 110, 310, 310]}', "non-finite"),
        ("[110, 110, 1001, 310]", "out of range"),
        ("[-1, 110, 310, 310]", "out of range"),
        ("(-5, 110), (310, 310)", "out of range"),
        ("[310, 110, 110, 310]", "inverted"),
        ("[110, 310, 310, 110]", "inverted"),
        ("[110, 110, 110, 310]", "zero-area"),
        ("[110, 110, 310, 110]", "zero-area"),
        ("[110, 110, 310]", "wrong arity"),
        ("[110, 110, 310, 310, 5]", "wrong arity"),
        ('{"bbox_2d": [110, 110, 310]}', "wrong arity"),
        ("<box>110 110 310</box>", "wrong arity"),
        ("[100, 100, 300, 300] [310, 110, 110, 310]", "inverted"),  # one bad box spoils the answer
        ("no coordinates here", "no box or point found"),
        ("", "no box or point found"),
        ("[a, b, c, d]", "no box or point found"),
    ],
)
def test_malformed_scores_zero(response, reason):
    v = score(response)
    assert v.score == 0.0 and reason in v.details["reason"]


def test_pixel_space():
    sample = {"answer": [50, 60, 150, 160], "coord_space": "pixel", "image_size": [640, 480]}
    assert score("[55, 60, 150, 165]", **sample).score == 1.0
    assert score("[55, 60, 150, 481]", **sample).details["reason"].startswith("malformed")
    assert score("[600, 60, 641, 165]", **sample).score == 0.0
    assert score("[900, 60, 1000, 165]", answer=[900, 60, 1000, 165]).score == 1.0
    assert score("[900, 60, 1001, 165]", answer=[900, 60, 1000, 165]).score == 0.0
    with pytest.raises(ValueError, match="image_size"):
        score("[1, 1, 2, 2]", coord_space="pixel")


@pytest.mark.parametrize(
    "response, expected",
    [
        ("(200, 200)", 1.0), ("[200, 200]", 1.0), ("<point>200 200</point>", 1.0), ("<point>(200,200)</point>", 1.0),
        ('{"point_2d": [200, 200], "label": "cup"}', 1.0), ("(100, 300)", 1.0),  # the border is inside
        ("(50, 200)", 0.0), ("[200, 301]", 0.0), ("<point>900 900</point>", 0.0), ('{"point_2d": [1, 1]}', 0.0),
    ],
)
def test_point_against_box(response, expected):
    assert score(response).score == expected


def test_point_malformed():
    assert "wrong arity" in score('{"point_2d": [200]}').details["reason"]
    assert "out of range" in score("(200, 1200)").details["reason"]


def test_degenerate_gold_box():
    assert score("[100, 100, 300, 300]", answer=[200, 100, 200, 300]).score == 0.0  # no area, no IoU
    assert score("(200, 150)", answer=[200, 100, 200, 300]).score == 1.0


def test_task_suite_sample_shape():
    sample = {"task": "grounding", "answer": [120, 340, 560, 780], "coord_space": "norm1000", "image_size": [112, 112]}
    assert grounding(sample, "[120,340,560,780]").score == 1.0


def test_box_against_point_gold():
    assert score("[100, 100, 300, 300]", answer=[200, 200]).score == 1.0
    assert score("[100, 100, 150, 150]", answer=[200, 200]).score == 0.0


def test_point_against_point_gold():
    assert score("(220, 200)", answer=[200, 200]).score == 1.0  # within 50 (5% of 1000)
    assert score("(260, 200)", answer=[200, 200]).score == 0.0
    assert score("(260, 200)", answer=[200, 200], point_radius=70).score == 1.0


@pytest.mark.parametrize(
    "answer",
    [BOX, [BOX], "[100, 100, 300, 300]", "[[100, 100, 300, 300]]", {"bbox_2d": BOX}, '[{"bbox_2d": [100,100,300,300]}]',
     "<box>(100,100),(300,300)</box>", (100, 100, 300, 300)],
)
def test_gold_forms(answer):
    assert parse_gold({"answer": answer}) == [(100.0, 100.0, 300.0, 300.0)]
    assert score(NEAR, answer=answer).score == 1.0


@pytest.mark.parametrize("answer", [None, "", []])
def test_no_gold_is_not_applicable(answer):
    assert grounding({"answer": answer}, NEAR) is None


@pytest.mark.parametrize(
    "answer", [[1, 2, 3], [300, 100, 100, 300], [1, 5, 2, 1], "not a box", [math.nan, 1, 2, 3], {"x": 1}]
)
def test_malformed_gold_raises(answer):
    with pytest.raises(ValueError):
        parse_gold({"answer": answer})


TWO = [[100, 100, 300, 300], [500, 500, 700, 700]]


@pytest.mark.parametrize(
    "response, expected",
    [
        ("[100,100,300,300] [500,500,700,700]", 1.0),
        ("[500,500,700,700] [100,100,300,300]", 1.0),  # order does not matter
        ('[{"bbox_2d": [510,500,700,700]}, {"bbox_2d": [100,100,290,300]}]', 1.0),
        ("[100,100,300,300]", 2 / 3),  # one found, one missed
        ("[100,100,300,300] [500,500,700,700] [800,800,900,900]", 0.8),  # one extra
        ("[800,800,900,900]", 0.0),
        ("[100,100,300,300] [110,110,310,310]", 0.5),  # two boxes on one object: one hit
    ],
)
def test_multi_object_f1(response, expected):
    assert score(response, answer=TWO).score == pytest.approx(expected)


def test_multi_object_iou_mode():
    v = score("[100,100,300,200] [500,500,700,700]", answer=TWO, iou_mode="iou")
    assert v.score == pytest.approx((0.5 + 1.0) / 2)
    v = score("[100,100,300,200] [500,500,700,700] [1,1,2,2]", answer=TWO, iou_mode="iou")
    assert v.score == pytest.approx((0.5 + 1.0) / 3)


def test_multi_flag_single_gold_penalises_extras():
    assert score("[100,100,300,300] [500,500,700,700]", multi=True).score == pytest.approx(2 / 3)


def test_matching_beats_greedy():
    # Greedy by IoU pairs p0-g0 (0.74) and leaves p1-g1 (0.14); the optimal p0-g1, p1-g0 (0.6 each) hits both.
    golds = [[0, 0, 100, 100], [40, 0, 140, 100]]
    preds = "[15, 0, 115, 100] [0, 0, 60, 100]"
    v = score(preds, answer=golds)
    assert v.score == 1.0, v.details


def test_best_assignment_is_optimal():
    rng = random.Random(0)
    for _ in range(200):
        n, m = rng.randint(1, 5), rng.randint(1, 5)
        w = [[rng.choice([0.0, rng.random()]) for _ in range(m)] for _ in range(n)]
        pairs = best_assignment(w)
        assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs}) == min(n, m)
        best = max(
            sum(w[i][j] for i, j in zip(rows, cols))
            for rows in itertools.permutations(range(n), min(n, m))
            for cols in itertools.permutations(range(m), min(n, m))
        )
        assert sum(w[i][j] for i, j in pairs) == pytest.approx(best)
    assert best_assignment([]) == []


def test_parse_cap():
    assert len(parse_shapes("[1,2,3,4] " * 1000)) == MAX_SHAPES


@pytest.mark.parametrize(
    "response",
    [
        "[" * 100_000, "(" * 100_000, "1" * 100_000, "(1," * 33_000, "(1,2)" * 20_000, "(1,2),(3,4)" * 9_000,
        "[1,2,3,4]" * 11_000, "<box>" * 20_000, "<box>1 2 3 4</box>" * 5_000, '"bbox_2d": [' * 8_000,
        '{"bbox_2d": [1, 2, 3, 4]}, ' * 4_000, "\x00" * 100_000, "[1,\x00 2, 3, 4]" * 7_000,
        "<|box_start|>" * 8_000, "<answer>" * 12_000, "nan " * 25_000, "[" + "1," * 50_000 + "]",
        "[" + ", ".join(str(i) for i in range(20_000)) + "]",
    ],
)
def test_long_inputs_are_fast(response):
    start = time.process_time()
    v = score(response, answer=TWO)
    assert time.process_time() - start < 1.0
    assert 0.0 <= v.score <= 1.0


# ---- normalised 0-1 answers (Shikra/Ferret style, lmms-eval's RefCOCO prompt, InternVL/VLMEvalKit graders)
PIXEL = {"coord_space": "pixel", "image_size": [640, 480]}


@pytest.mark.parametrize(
    "response, pred",
    [
        ("[0.11, 0.11, 0.31, 0.31]", [110, 110, 310, 310]),
        ("[0.110,0.110,0.310,0.310]", [110, 110, 310, 310]),
        ("(0.11, 0.11), (0.31, 0.31)", [110, 110, 310, 310]),
        ('{"bbox_2d": [0.11, 0.11, 0.31, 0.31]}', [110, 110, 310, 310]),
        ("<answer>[.11, .11, .31, .31]</answer>", [110, 110, 310, 310]),
        ("[0.1, 0.1, 0.3, 0.3]", [100, 100, 300, 300]),
        ("[0, 0.1, 0.3, 0.3]", [0, 100, 300, 300]),  # one fraction makes the whole answer normalised
        ("(0.2, 0.25)", [200, 250]),
    ],
)
def test_fraction_answer_is_scaled_to_0_1000(response, pred):
    v = score(response)
    assert v.details["pred"] == [pytest.approx(pred)]
    assert v.details["units"] == "fraction"
    assert v.score == 1.0


def test_fraction_answer_in_pixel_space():
    # x by the width (640), y by the height (480): [0.1, 0.1, 0.5, 0.5] -> [64, 48, 320, 240]
    sample = {"answer": [64, 48, 320, 240], **PIXEL}
    v = score("[0.1, 0.1, 0.5, 0.5]", **sample)
    assert v.details["pred"] == [pytest.approx([64, 48, 320, 240])] and v.score == 1.0
    # [0.1, 0.1, 0.5, 0.3] -> [64, 48, 320, 144]: 256*96 / (256*192) = 0.5 exactly
    assert score("[0.1, 0.1, 0.5, 0.3]", **sample, iou_mode="iou").score == pytest.approx(0.5)
    # [0.1, 0.1, 0.3, 0.3] -> [64, 48, 192, 144]: 128*96 / 49152 = 0.25
    assert score("[0.1, 0.1, 0.3, 0.3]", **sample, iou_mode="iou").score == pytest.approx(0.25)
    assert score("(0.25, 0.25)", **sample).score == 1.0  # (160, 120) lies in the box
    assert score("(0.6, 0.6)", **sample).score == 0.0  # (384, 288) does not


@pytest.mark.parametrize(
    "response, expected, pred",
    [
        ("[0, 0, 1, 1]", 0.0, [0, 0, 1, 1]),  # integers only: a 1x1 box in 0-1000, not the whole image
        ("[0.0, 0.0, 1.0, 1.0]", 1.0, [0, 0, 1000, 1000]),  # written as fractions: the whole image
        ("[0.5, 0.5, 1.2, 0.9]", 0.0, [0.5, 0.5, 1.2, 0.9]),  # 1.2 is no fraction: a tiny 0-1000 box
        ("[0.5, 0.5, 1000, 1000]", 1.0, [0.5, 0.5, 1000, 1000]),  # one value > 1: read as written (IoU 0.999)
    ],
)
def test_fraction_needs_all_in_unit_range_and_a_decimal(response, expected, pred):
    v = score(response, answer=[0, 0, 1000, 1000])
    assert v.score == expected
    assert v.details["pred"] == [pytest.approx(pred)]


def test_fraction_gold():
    # lmms-eval / NeMo-RL store the gold normalised: it is scaled like an answer
    assert parse_gold({"answer": "[0.1, 0.1, 0.5, 0.5]"}) == [pytest.approx((100, 100, 500, 500))]
    assert parse_gold({"answer": [0.1, 0.1, 0.5, 0.5], **PIXEL}) == [pytest.approx((64, 48, 320, 240))]
    assert parse_gold({"answer": [0, 0, 1, 1]}) == [(0, 0, 1, 1)]
    gold = {"answer": "[0.1, 0.1, 0.5, 0.5]"}
    assert score("<answer>[0.1, 0.1, 0.5, 0.5]</answer>", **gold).score == 1.0
    assert score("<answer>[100, 100, 500, 500]</answer>", **gold).score == 1.0
    # [0.2, 0.2, 0.6, 0.6]: 0.3*0.3 / (0.16 + 0.16 - 0.09) = 0.391
    assert score("<answer>[0.2, 0.2, 0.6, 0.6]</answer>", **gold, iou_mode="iou").score == pytest.approx(0.09 / 0.23)
    assert score("<answer>[0.6, 0.6, 0.9, 0.9]</answer>", **gold).score == 0.0
    assert score("[64, 48, 320, 240]", answer="[0.1, 0.1, 0.5, 0.5]", **PIXEL).score == 1.0


# ---- more public forms
@pytest.mark.parametrize(
    "response",
    [
        "(110, 110, 310, 310)",  # "a tuple of 4 numbers (x1, y1, x2, y2)"
        "The cup (the red one) is at (110, 110, 310, 310).",
        "see step (1, 2, 3) then [110, 110, 310, 310]",  # a 3-number parenthesis is prose
        "[x1, y1, x2, y2] = [110, 110, 310, 310]",
        "<ref>cup</ref><box>[[110, 110, 310, 310]]</box>",
        "cup[[110,110,310,310]]",
        "<|ref|>cup<|/ref|><|det|>[[110,110,310,310]]<|/det|>",
        "［110，110，310，310］",  # full-width brackets and commas
        "（110, 110），（310, 310）",
        "x1=110, y1=110, x2=310, y2=310",
        '{"xmin": 110, "ymin": 110, "xmax": 310, "ymax": 310}',
        "110, 110, 310, 310",
        "<answer>110 110 310 310</answer>",
        "Answer: 110, 110, 310, 310.",
        '[{"Position": [110, 110, 310, 310], "Confidence": 0.93}]',  # Visual-RFT: the confidence is no coordinate
        '{"box_2d": [110, 110, 310, 310], "label": "cup"}',  # Gemini, y-first (square here)
        "[[110,\n 110,\n 310,\n 310]]",
    ],
)
def test_more_box_forms_hit(response):
    v = score(response)
    assert v.score == 1.0, v.details
    assert v.details["pred"] == [[110, 110, 310, 310]]


def test_gemini_box_2d_is_y_first():
    gold = [100, 100, 300, 600]  # x1 y1 x2 y2
    assert score('[{"box_2d": [100, 100, 600, 300], "label": "dog"}]', answer=gold).score == 1.0
    v = score('[{"box_2d": [100, 100, 300, 600], "label": "dog"}]', answer=gold)  # x-first by mistake
    assert v.details["pred"] == [[100, 100, 600, 300]] and v.score == 0.0  # IoU 200*200 / 160000 = 0.25
    assert score('{"box_2d": [1, 2, 3]}', answer=gold).details["reason"].endswith("wrong arity (3 numbers)")


def test_semicolon_separated_boxes():
    # Shikra / CogVLM: several boxes in one bracket
    assert score("dogs[0.100,0.100,0.300,0.300;0.500,0.500,0.700,0.700]", answer=TWO).score == 1.0
    assert score("cups[[100,100,300,300;500,500,700,700]]", answer=TWO).score == 1.0
    assert score("(0.1,0.1,0.3,0.3;0.5,0.5,0.7,0.7)", answer=TWO).score == 1.0
    assert score("[100,100,300,300;500,500,700]", answer=TWO).details["reason"].endswith("wrong arity (3 numbers)")
    assert score("<box>100 100 300 300;500 500 700 700</box>", answer=TWO).score == 1.0


def test_molmo_points_are_percent():
    assert score('<point x="20.5" y="15.0" alt="cup">cup</point>').details["pred"] == [pytest.approx([205, 150])]
    assert score('<point x="20.5" y="15.0" alt="cup">cup</point>').score == 1.0
    assert score('<point x="50" y="50" alt="cup">cup</point>').score == 0.0
    v = score('<points x1="20" y1="20" x2="60" y2="60" alt="cups">cups</points>', answer=TWO)
    assert v.details["pred"] == [pytest.approx([200, 200]), pytest.approx([600, 600])] and v.score == 1.0
    v = score('<point x="25" y="25" alt="dog">dog</point>', answer=[64, 48, 320, 240], **PIXEL)
    assert v.details["pred"] == [pytest.approx([160, 120])] and v.score == 1.0
    assert "wrong arity" in score('<point x="20" alt="cup">cup</point>').details["reason"]


def test_click_points():
    sample = {"answer": [100, 200, 300, 260], "coord_space": "pixel", "image_size": [1920, 1080]}
    assert score("pyautogui.click(x=150, y=230)", **sample).score == 1.0
    assert score("pyautogui.click(x=350, y=230)", **sample).score == 0.0
    # normalised click: (0.1 * 1920, 0.2 * 1080) = (192, 216)
    v = score("pyautogui.click(x=0.1, y=0.2)", **sample)
    assert v.details["pred"] == [pytest.approx([192, 216])] and v.score == 1.0


@pytest.mark.parametrize(
    "response",
    ["There are 3 cups.", "<answer>3</answer>", "(the red one)", "[a, b, c, d]", "x: 3", "<loc_100><loc_100><loc_300><loc_300>"],
)
def test_no_shape_read(response):
    assert score(response).details["reason"] == "no box or point found"


@pytest.mark.parametrize(
    "response",
    [
        "<point" * 20_000, '<points x1="1" y1="2" ' * 5_000, '<point x="10" y="20">a</point>' * 4_000,
        "x1=1, y1=2, x2=3, " * 6_000, "x=1, y=" * 15_000, "x1=" + " " * 100_000, "(1, 2, 3)" * 10_000,
        "(" + "1, " * 33_000 + ")", "[" + "1,2,3,4;" * 10_000 + "]", "[1,2,3,4;5,6,7,8]" * 5_000, "1, " * 33_000,
        '"box_2d": [1,2,3,4] ' * 5_000, "［１，２，３，４］" * 10_000, "[0.1,0.2,0.3,0.4]" * 5_000, "<box>(" * 16_000,
        "<answer>" + "1 " * 50_000 + "</answer>", "'" * 100_000,
    ],
)
def test_new_forms_long_inputs_are_fast(response):
    start = time.process_time()
    v = score(response, answer=TWO)
    assert time.process_time() - start < 1.0
    assert 0.0 <= v.score <= 1.0
