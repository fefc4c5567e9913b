"""Independent audit set for the "grounding" verifier, re-created from public graders' behaviour.

Each case is (sample, response, expected score). The samples and responses follow the formats the
public graders below parse and the tests/documentation they ship; expected scores were worked out
by hand from each grader's rule (IoU on continuous coordinates, hit at IoU >= 0.5 unless noted).
No grader code is used here.

  qwen2vl      Qwen2-VL / Qwen-VL box tokens; VLMEvalKit vlmeval/dataset RefCOCOSeries
               (Qwen2VL_BBOX_FORMAT gold "(x1, y1), (x2, y2)", ClickPoint "(x, y)", border inclusive)
  qwen25vl     Qwen2.5-VL / Qwen3-VL JSON `bbox_2d` / `point_2d` (Qwen cookbooks, qwen-vl-finetune
               GROUNDING_DATA_FORMAT); 2.5-VL absolute pixels => samples in coord_space "pixel"
  fraction     normalised 0-1 floats: lmms-eval refcoco utils_rec.py (prompt asks for 0-1 floats,
               gold normalised by image size), lmms-eval issue #98 (values in [0,1] => normalised),
               InternVL evaluate_grounding.py (sum < 4 => not /1000), VLMEvalKit RefCOCOSeries
               (non-integers => normalised), VLM-R1 REC eval (all <= 1 => x1000)
  shikra       shikras/shikra PlainBoxFormatter: [0.120,0.300,0.500,0.900], `;` between boxes,
               `(..)` small-bracket variant, points [x,y]
  internvl     InternVL `<ref>..</ref><box>[[x1, y1, x2, y2]]</box>` in 0-1000
  cogvlm       CogVLM `[[x0,y0,x1,y1]]` 000-999 (`;` between boxes), DeepSeek-VL2 `<|det|>[[..]]<|/det|>`
  vlm_r1       VLM-R1 grpo_rec / qwen_module iou_reward + the multi_bbox_iou_reward test file
               (bipartite matching), Visual-RFT `[{"Position": [...], "Confidence": c}]`, R1-V
  nemo_rl      NVIDIA NeMo-RL environments rewards bbox_giou_reward and its unit test
               (gold "[0.1, 0.1, 0.5, 0.5]", correct when (G)IoU > 0.5)
  lmms_ground  lmms-eval refcoco_grounding/utils.py (PR #1373): JSON `bbox_2d` / `bbox` / nested
               lists / code fences / bare-number fallback, pixel gold
  lmms_rec     lmms-eval refcoco utils_rec.py ACC@0.1..0.9 thresholds on normalised boxes
  screenspot   VLMEvalKit GUI/screenspot.py: `pyautogui.click(x=.., y=..)`, normalised when <= 1,
               point-in-box
  molmo        Molmo `<point x="" y="">` / `<points x1="" y1="" ...>` in percent of the image
  gemini       Google Gemini docs: `box_2d` is [ymin, xmin, ymax, xmax] in 0-1000
  forms        other plain forms graders accept: REC-Eval "(x1, y1, x2, y2)" tuple, full-width
               punctuation, `x1=..` / `"xmin":` keys, bare numbers after a label
  malformed    NaN, inverted, zero-area, wrong arity, no answer
  iou          IoU definition edge cases (torchvision box_iou, lmms-eval, VLMEvalKit compute_iou)
  multi        several gold objects (one-to-one matching)

Where graders disagree we keep our documented rule and say so in the note (expected = our rule):
  * several predicted boxes for one gold: lmms-eval refcoco_grounding keeps the best box, VLMEvalKit
    and lmms-eval bbox_rec the first; ours scores F1 (extras cost), as documented;
  * inverted / out-of-range boxes: VLMEvalKit swaps corners and others clamp; ours scores 0;
  * no `<answer>` tags: NeMo-RL scores 0 (its format check is inside the reward); ours reads the
    whole text, the format gate being a separate reward in this toolkit;
  * integer `[0, 0, 1, 1]`: InternVL (sum < 4) reads it as the whole image; ours keeps integers in
    the sample's space (a fraction needs a decimal written somewhere in the answer);
  * `> 0.5` vs `>= 0.5`: NeMo-RL and some R1 rewards use a strict `>`; ours, lmms-eval and
    VLMEvalKit use `>=`;
  * inclusive pixel edges (+1, as in VLM-R1's iou and ScreenSpot's gold conversion): ours uses
    continuous areas like torchvision, lmms-eval and VLMEvalKit;
  * absolute pixels against a 0-1000 gold (Qwen2.5-VL without coord_space "pixel"): lmms-eval
    refcoco_grounding tries both scales; ours compares in the documented space only.

    python benchmarks/grounding_audit_cases.py            # per-source table (stderr) + one JSON line
    python benchmarks/grounding_audit_cases.py --fails    # also list the cases ours gets wrong
    python benchmarks/grounding_audit_cases.py --impl path/to/grounding.py   # audit another copy

A false positive is a case whose expected score is 0 that scores above 0.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TOL = 1e-3


def N(answer, **kw):
    """A sample in the default 0-1000 space."""
    return {"task": "grounding", "answer": answer, **kw}


def P(answer, size, **kw):
    """A sample in pixels of an image of `size` [w, h]."""
    return {"task": "grounding", "answer": answer, "coord_space": "pixel", "image_size": list(size), **kw}


G = [100, 200, 400, 600]  # area 300 x 400
BOX = [100, 100, 300, 300]
TWO = [[100, 100, 300, 300], [500, 500, 700, 700]]
PIX = [64, 48, 320, 240]  # in a 640 x 480 image: [0.1, 0.1, 0.5, 0.5] of it
VR1 = [[10, 20, 30, 40], [50, 60, 70, 80]]

# (source, sample, response, expected, note)
CASES = [
    # ---- qwen2vl: Qwen2-VL tokens; VLMEvalKit RefCOCOSeries formats
    ("qwen2vl", N(G), "<|object_ref_start|>the dog<|object_ref_end|><|box_start|>(100,200),(400,600)<|box_end|>", 1, "exact"),
    ("qwen2vl", N(G), "<|box_start|>(120,210),(410,590)<|box_end|>", 1, "IoU 0.859"),
    ("qwen2vl", N(G), "<|box_start|>(500,200),(800,600)<|box_end|>", 0, "disjoint"),
    ("qwen2vl", N(G), "<ref>the dog</ref><box>(100,200),(400,600)</box>", 1, "Qwen-VL v1 tags"),
    ("qwen2vl", N("(100, 200), (400, 600)"), "(100,200),(400,600)", 1, "VLMEvalKit Qwen2VL gold string"),
    ("qwen2vl", N("[212.82, 0.0, 355.9, 132.41]"), "(213, 0), (355, 132)", 1, "VLMEvalKit BBOX gold string"),
    ("qwen2vl", N(G, iou_mode="iou"), "<|box_start|>(100,200),(400,400)<|box_end|>", 0.5, "IoU 0.5 in iou mode"),
    ("qwen2vl", N(G), "<|box_start|>(100,200),(400,600)<|box_end|><|box_start|>(600,600),(900,900)<|box_end|>", 2 / 3,
     "extra box: F1 (VLMEvalKit takes the first box: 1)"),
    ("qwen2vl", N(G), "(250, 400)", 1, "click point inside"),
    ("qwen2vl", N(G), "(450, 400)", 0, "click point outside"),
    ("qwen2vl", N(G), "(100, 600)", 1, "click point on the border counts"),
    ("qwen2vl", N(G), "<|box_start|>(100,200),(400,600)<|box_end|> is the dog; the cat is elsewhere", 1, "trailing prose"),
    # ---- qwen25vl: JSON, pixels for 2.5-VL, 0-1000 for Qwen3-VL
    ("qwen25vl", P(PIX, (640, 480)), '```json\n[\n\t{"bbox_2d": [64, 48, 320, 240], "label": "dog"}\n]\n```', 1, "exact"),
    ("qwen25vl", P(PIX, (640, 480)), '{"bbox_2d": [70, 50, 330, 250], "label": "dog"}', 1, "IoU 0.885"),
    ("qwen25vl", P(PIX, (640, 480)), '[{"bbox_2d": [400, 300, 600, 460], "label": "cat"}]', 0, "disjoint"),
    ("qwen25vl", P(PIX, (640, 480)), '{"bbox_2d": [64, 48, 641, 240]}', 0, "outside the image (clamped: IoU 0.44, also 0)"),
    ("qwen25vl", P(PIX, (640, 480)), '{"point_2d": [200, 150], "label": "dog"}', 1, "point_2d inside"),
    ("qwen25vl", P(PIX, (640, 480)), '{"point_2d": [500, 400], "label": "dog"}', 0, "point_2d outside"),
    ("qwen25vl", P([PIX, [400, 300, 600, 460]], (640, 480)),
     '[{"bbox_2d": [64, 48, 320, 240], "label": "dog"}, {"bbox_2d": [400, 300, 600, 460], "label": "cat"}]', 1, "two objects"),
    ("qwen25vl", P([PIX, [400, 300, 600, 460]], (640, 480)), '[{"bbox_2d": [64, 48, 320, 240], "label": "dog"}]', 2 / 3,
     "one of two objects: F1"),
    ("qwen25vl", N(BOX), '[{"bbox_2d": [100, 100, 300, 300], "label": "cup"}]', 1, "Qwen3-VL 0-1000"),
    ("qwen25vl", N(BOX), "{'bbox_2d': [110, 110, 310, 310], 'label': 'cup'}", 1, "single-quoted dict"),
    ("qwen25vl", N(BOX), '[{"bbox_2d": [110, 110, 310, 310], "label": "cup"', 1, "truncated JSON"),
    # ---- fraction: normalised 0-1 floats against a 0-1000 or pixel gold
    ("fraction", N([120, 300, 500, 900]), "[0.12, 0.30, 0.50, 0.90]", 1, "lmms-eval prompt asks for 0-1 floats"),
    ("fraction", N([120, 300, 500, 900]), "<answer>[0.13, 0.31, 0.5, 0.9]</answer>", 1, "IoU 0.957"),
    ("fraction", N([120, 300, 500, 900]), "[0.6, 0.1, 0.9, 0.3]", 0, "disjoint"),
    ("fraction", N([120, 300, 500, 900]), "(0.12, 0.30), (0.50, 0.90)", 1, "pairs"),
    ("fraction", N([120, 300, 500, 900]), "(0.3, 0.6)", 1, "point (300, 600) inside"),
    ("fraction", N([120, 300, 500, 900]), "(0.6, 0.6)", 0, "point (600, 600) outside"),
    ("fraction", N([120, 300, 500, 900], iou_mode="iou"), "[0.12, 0.30, 0.50, 0.60]", 0.5, "IoU 0.5"),
    ("fraction", P(PIX, (640, 480)), "[0.1, 0.1, 0.5, 0.5]", 1, "InternVL/VLMEvalKit: x width, y height"),
    ("fraction", P(PIX, (640, 480)), "[0.6, 0.6, 0.9, 0.9]", 0, "disjoint in pixels"),
    ("fraction", P(PIX, (640, 480)), "[0.1, 0.1, 0.5, 0.3]", 1, "IoU 0.5 (height 48..144)"),
    ("fraction", P(PIX, (640, 480)), "[0.1, 0.1, 0.3, 0.3]", 0, "IoU 0.25"),
    ("fraction", N("[0.12, 0.3, 0.5, 0.9]"), "[120, 300, 500, 900]", 1, "lmms-eval stores normalised gold"),
    ("fraction", N([0.12, 0.3, 0.5, 0.9]), "[0.12, 0.3, 0.5, 0.9]", 1, "both normalised"),
    ("fraction", P("[0.1, 0.1, 0.5, 0.5]", (640, 480)), "[64, 48, 320, 240]", 1, "normalised gold, pixel answer"),
    ("fraction", N([0, 0, 1000, 1000]), "[0.0, 0.0, 1.0, 1.0]", 1, "decimals written: whole image"),
    ("fraction", N([500, 500, 1000, 1000]), "[0.5, 0.5, 1, 1]", 1, "one fraction makes the answer normalised"),
    ("fraction", N([0, 0, 1000, 1000]), "[0, 0, 1, 1]", 0, "integers stay in 0-1000 (InternVL sum<4 rule: 1)"),
    ("fraction", N([500, 500, 1000, 900]), "[0.5, 0.5, 1.2, 0.9]", 0, "1.2 is no fraction: a tiny 0-1000 box"),
    ("fraction", N(BOX), "[0.1, 0.1, 0.3, 0.3] and [0.5, 0.5, 0.7, 0.7]", 2 / 3, "two normalised boxes, one right"),
    # ---- shikra
    ("shikra", N([120, 300, 500, 900]), "The dog[0.120,0.300,0.500,0.900] is running.", 1, "3-decimal box"),
    ("shikra", N(TWO), "dogs[0.100,0.100,0.300,0.300;0.500,0.500,0.700,0.700]", 1, "two boxes in one bracket"),
    ("shikra", N(TWO), "dogs[0.100,0.100,0.300,0.300;0.800,0.800,0.900,0.900]", 0.5, "one of two right"),
    ("shikra", N(BOX), "the cup[0.250,0.250]", 1, "point"),
    ("shikra", N(BOX), "the cup(0.100,0.100,0.300,0.300)", 1, "small-bracket variant"),
    # ---- internvl
    ("internvl", N(BOX), "<ref>the cup</ref><box>[[110, 110, 310, 310]]</box>", 1, "IoU 0.822"),
    ("internvl", N(BOX), "[[110, 110, 310, 310]]", 1, "bare double bracket"),
    ("internvl", N(BOX), "<ref>the cup</ref><box>[[500, 500, 700, 700]]</box>", 0, "disjoint"),
    ("internvl", N(TWO), "<ref>cups</ref><box>[[100, 100, 300, 300], [500, 500, 700, 700]]</box>", 1, "two boxes in a tag"),
    ("internvl", N(BOX), "<ref>the cup</ref><box>[[100, 100, 300]]</box>", 0, "three numbers"),
    # ---- cogvlm / deepseek
    ("cogvlm", N(BOX), "A cup[[110,110,310,310]] on the table", 1, "inline box"),
    ("cogvlm", N([86, 100, 300, 300]), "[[086,100,300,300]]", 1, "zero-padded 000-999"),
    ("cogvlm", N(TWO), "cups[[100,100,300,300;500,500,700,700]]", 1, "two boxes, `;`"),
    ("cogvlm", N(BOX), "<|ref|>cup<|/ref|><|det|>[[110,110,310,310]]<|/det|>", 1, "DeepSeek-VL2"),
    ("cogvlm", N(BOX), "<|ref|>cup<|/ref|><|det|>[[600,600,900,900]]<|/det|>", 0, "DeepSeek-VL2 miss"),
    # ---- vlm_r1 / visual-rft / r1-v
    ("vlm_r1", N(BOX), '<think>look</think><answer>{"bbox_2d": [110, 110, 310, 310]}</answer>', 1, "json in answer"),
    ("vlm_r1", N(BOX), "<answer>[110, 110, 310, 310]</answer>", 1, "plain list"),
    ("vlm_r1", N(BOX, iou_mode="iou"), "<answer>[100, 100, 300, 200]</answer>", 0.5, "iou reward 0.5"),
    ("vlm_r1", N(BOX, iou_mode="iou"), "<answer>[150, 150, 350, 350]</answer>", 22500 / 57500, "iou reward 0.391"),
    ("vlm_r1", N(BOX), "<think>first guess [500,500,700,700]</think><answer>[100,100,300,300]</answer>", 1,
     "box in think ignored"),
    ("vlm_r1", N(BOX), "<think>first guess [100,100,300,300]</think><answer>[500,500,700,700]</answer>", 0,
     "right box only in think"),
    ("vlm_r1", N(BOX), '<answer>[{"Position": [110, 110, 310, 310], "Confidence": 0.93}]</answer>', 1, "Visual-RFT"),
    ("vlm_r1", N(TWO), '<answer>[{"Position": [100, 100, 300, 300], "Confidence": 0.9}, '
     '{"Position": [500, 500, 700, 700], "Confidence": 0.8}]</answer>', 1, "Visual-RFT two objects"),
    ("vlm_r1", N(BOX), "<answer></answer>", 0, "empty answer"),
    ("vlm_r1", N(BOX), "<answer>I cannot find it.</answer>", 0, "no box"),
    ("vlm_r1", N(BOX), "<answer>The bounding box is [110,110,310,310].</answer>", 1, "R1-V prose answer"),
    ("vlm_r1", N(VR1), '<answer>{"bounding_boxes": [[10, 20, 30, 40], [50, 60, 70, 80]]}</answer>', 1, "perfect"),
    ("vlm_r1", N(VR1), '<answer>{"bounding_boxes": [[50, 60, 70, 80], [10, 20, 30, 40]]}</answer>', 1, "order"),
    ("vlm_r1", N(VR1), '<answer>{"bounding_boxes": [[10, 20, 30, 40], [52, 58, 71, 79]]}</answer>', 1, "IoU 0.748"),
    ("vlm_r1", N(VR1, iou_mode="iou"), '<answer>{"bounding_boxes": [[10, 20, 30, 40], [52, 58, 71, 79]]}</answer>',
     (1 + 342 / 457) / 2, "iou mode"),
    ("vlm_r1", N(VR1), '<answer>{"bounding_boxes": [[10, 20, 30, 40], [100, 100, 120, 120]]}</answer>', 0.5, "one wrong"),
    ("vlm_r1", N(VR1), '<answer>{"bounding_boxes": [[10, 20, 30, 40]]}</answer>', 2 / 3, "one missing"),
    ("vlm_r1", N(VR1, iou_mode="iou"), '<answer>{"bounding_boxes": [[10, 20, 30, 40]]}</answer>', 0.5, "missing, iou"),
    ("vlm_r1", N(VR1), '<answer>{"bounding_boxes": [[10, 20, 30, 40], [50, 60, 70, 80], [100, 100, 120, 120]]}</answer>',
     0.8, "one extra"),
    ("vlm_r1", N(VR1[:1]), '<answer>{"bounding_boxes": [[1, 1, 5, 5]]}</answer>', 0, "low IoU"),
    ("vlm_r1", N(VR1[:1], iou_mode="iou"), '<answer>{"bounding_boxes": [[10, 20, 31, 41]]}</answer>', 400 / 441,
     "high IoU"),
    ("vlm_r1", N(VR1[:1]), '<answer>{"bounding_boxes": [[12, 22, 30, 40]]}</answer>', 1, "IoU 0.81"),
    ("vlm_r1", N(VR1[:1]), '<answer>{\n "bounding_boxes": [[10,\n 20,\n 30,\n 40]]\n}</answer>', 1, "newlines"),
    ("vlm_r1", N(VR1 + [[100, 110, 120, 130]]), '<answer>[[10, 20, 30, 40], [50, 60, 70, 80]]</answer>', 0.8,
     "2 of 3"),
    ("vlm_r1", N(VR1 + [[100, 110, 120, 130]]),
     '<answer>[[10, 20, 30, 40], [50, 60, 70, 80], [100, 110, 120, 130], [200, 210, 220, 230]]</answer>', 6 / 7,
     "3 of 3 plus one extra"),
    # ---- nemo_rl bbox_giou_reward unit test
    ("nemo_rl", N("[0.1, 0.1, 0.5, 0.5]"), "<answer>[0.1, 0.1, 0.5, 0.5]</answer>", 1, "perfect"),
    ("nemo_rl", N("[0.1, 0.1, 0.5, 0.5]"), "<answer>[0.2, 0.2, 0.6, 0.6]</answer>", 0, "partial, IoU 0.39"),
    ("nemo_rl", N("[0.1, 0.1, 0.5, 0.5]"), "<answer>[0.6, 0.6, 0.9, 0.9]</answer>", 0, "no overlap"),
    ("nemo_rl", N("[0.1, 0.1, 0.5, 0.5]"), "<answer>[0.6, 0.6, 0.9, 0.9, 0.1]</answer>", 0, "5 numbers"),
    ("nemo_rl", N("[0.1, 0.1, 0.5, 0.5]"), "<answer>invalid bbox format</answer>", 0, "no box"),
    ("nemo_rl", N("[0.1, 0.1, 0.5, 0.5]"), "<think>The bounding box coordinates are [0.1, 0.1, 0.5, 0.5]</think> "
     "<answer>[0.1, 0.1, 0.5, 0.5]</answer>", 1, "combined test, good response"),
    ("nemo_rl", N("[0.1, 0.1, 0.5, 0.5]"), "here is a bbox: [0.1, 0.1, 0.5, 0.5] without any tags", 1,
     "no tags: NeMo 0 (format inside its reward); ours reads it, the format gate is separate"),
    ("nemo_rl", N("[0.1, 0.1, 0.5, 0.5]"), "<answer>0.1, 0.1, 0.5, 0.5</answer>", 1, "brackets optional there"),
    # ---- lmms-eval refcoco_grounding (pixel gold)
    ("lmms_ground", P(PIX, (640, 480)), '```json\n[{"bbox_2d": [64, 48, 320, 240]}]\n```', 1, "fenced"),
    ("lmms_ground", P(PIX, (640, 480)), '[{"bbox": [64, 48, 320, 240]}]', 1, "bbox key"),
    ("lmms_ground", P(PIX, (640, 480)), '{"bbox": [66, 50, 318, 238]}', 1, "bbox key, near"),
    ("lmms_ground", P(PIX, (640, 480)), "[[64, 48, 320, 240]]", 1, "nested list"),
    ("lmms_ground", P(PIX, (640, 480)), "64 48 320 240", 1, "regex fallback, spaces"),
    ("lmms_ground", P(PIX, (640, 480)), '{"bbox_2d": [330, 250, 600, 460]}', 0, "miss"),
    ("lmms_ground", P(PIX, (640, 480)), '[{"bbox_2d": [64, 48, 320, 240]}, {"bbox_2d": [400, 300, 600, 460]}]', 2 / 3,
     "lmms keeps the best box (1); ours F1"),
    # ---- lmms-eval refcoco bbox_rec ACC@t
    ("lmms_rec", N([0.2, 0.2, 0.6, 0.6]), "[0.2, 0.2, 0.6, 0.6]", 1, "ACC@0.5"),
    ("lmms_rec", N([0.2, 0.2, 0.6, 0.6], iou_threshold=0.9), "[0.2, 0.2, 0.6, 0.6]", 1, "ACC@0.9"),
    ("lmms_rec", N([0.2, 0.2, 0.6, 0.6], iou_threshold=0.7), "[0.2, 0.2, 0.6, 0.5]", 1, "IoU 0.75 ACC@0.7"),
    ("lmms_rec", N([0.2, 0.2, 0.6, 0.6], iou_threshold=0.9), "[0.2, 0.2, 0.6, 0.5]", 0, "IoU 0.75 ACC@0.9"),
    ("lmms_rec", N([0.2, 0.2, 0.6, 0.6], iou_threshold=0.1), "[0.5, 0.5, 0.9, 0.9]", 0, "IoU 0.04 ACC@0.1"),
    ("lmms_rec", N([0.2, 0.2, 0.6, 0.6], iou_threshold=0.1), "[0.4, 0.4, 0.8, 0.8]", 1, "IoU 0.14 ACC@0.1"),
    ("lmms_rec", N([0.2, 0.2, 0.6, 0.6], iou_threshold=0.3), "[0.4, 0.4, 0.8, 0.8]", 0, "IoU 0.14 ACC@0.3"),
    ("lmms_rec", N([0.2, 0.2, 0.6, 0.6]), "The region is [ .2, .2, .6, .6 ]", 1, "leading-dot decimals"),
    # ---- screenspot (VLMEvalKit GUI)
    ("screenspot", P([100, 200, 300, 260], (1920, 1080)), "pyautogui.click(x=150, y=230)", 1, "pixel click"),
    ("screenspot", P([100, 200, 300, 260], (1920, 1080)), "pyautogui.click(x=350, y=230)", 0, "outside"),
    ("screenspot", P([100, 200, 300, 260], (1920, 1080)), "pyautogui.click(x=0.1, y=0.2)", 1, "normalised: (192, 216)"),
    ("screenspot", P([100, 200, 300, 260], (1920, 1080)), "pyautogui.click(x=0.5, y=0.5)", 0, "normalised: centre"),
    ("screenspot", P([100, 200, 300, 260], (1920, 1080)), "(150, 230)", 1, "tuple"),
    ("screenspot", P([100, 200, 300, 260], (1920, 1080)), "(300, 260)", 1, "corner is inside"),
    ("screenspot", P([100, 200, 300, 260], (1920, 1080)), "(1921, 230)", 0, "outside the screen"),
    # ---- molmo
    ("molmo", N(BOX), '<point x="20.5" y="15.0" alt="cup">cup</point>', 1, "percent: (205, 150)"),
    ("molmo", N(BOX), '<point x="50.0" y="50.0" alt="cup">cup</point>', 0, "percent: (500, 500)"),
    ("molmo", N(TWO), '<points x1="20.0" y1="20.0" x2="60.0" y2="60.0" alt="cups">cups</points>', 1, "two points"),
    ("molmo", P(PIX, (640, 480)), '<point x="25" y="25" alt="dog">dog</point>', 1, "percent of 640x480: (160, 120)"),
    # ---- gemini
    ("gemini", N([100, 100, 300, 600]), '[{"box_2d": [100, 100, 600, 300], "label": "dog"}]', 1, "y-first"),
    ("gemini", N([100, 100, 300, 600]), '```json\n[{"box_2d": [100, 100, 300, 600], "label": "dog"}]\n```', 0,
     "x-first by mistake: IoU 0.25"),
    # ---- forms
    ("forms", N(BOX), "(110, 110, 310, 310)", 1, "REC-Eval tuple prompt"),
    ("forms", N(BOX), "［110，110，310，310］", 1, "full-width punctuation"),
    ("forms", N(BOX), "x1=110, y1=110, x2=310, y2=310", 1, "named"),
    ("forms", N(BOX), '{"x_min": 110, "y_min": 110, "x_max": 310, "y_max": 310}', 1, "named json"),
    ("forms", N(BOX), "Answer: 110 110 310 310", 1, "label then numbers"),
    ("forms", N(BOX), "<answer>110, 110, 310, 310</answer>", 1, "numbers only"),
    ("forms", N(BOX), "<answer>(110,110) to (310,310)</answer>", 1, "corners with 'to'"),
    ("forms", N(BOX), "The cup (the red one) is at [110, 110, 310, 310].", 1, "prose parenthesis skipped"),
    ("forms", N(BOX), "[x1, y1, x2, y2] = [110, 110, 310, 310]", 1, "template bracket skipped"),
    ("forms", N(BOX), "There are 3 cups.", 0, "no shape"),
    # ---- malformed
    ("malformed", N(BOX), "[nan, 100, 300, 300]", 0, "NaN"),
    ("malformed", N(BOX), "[300, 300, 100, 100]", 0, "inverted (VLMEvalKit swaps: 1)"),
    ("malformed", N(BOX), "[100, 100, 100, 300]", 0, "zero width"),
    ("malformed", N(BOX), "[100, 100, 300, 1001]", 0, "outside 0-1000 (clamped: IoU 0.29, also 0)"),
    ("malformed", N(BOX), "[-10, 100, 300, 300]", 0, "negative (clamping would give IoU 0.67)"),
    ("malformed", N(BOX), "[100, 100, 300]", 0, "three numbers"),
    ("malformed", N(BOX), "", 0, "empty"),
    ("malformed", N(BOX), "I don't know", 0, "no shape"),
    ("malformed", N(BOX), "[100, 100, 300, 300] [310, 110, 110, 310]", 0, "one bad shape spoils the answer"),
    # ---- iou definition
    ("iou", N(BOX), "[100, 100, 300, 200]", 1, "IoU exactly 0.5 is a hit (>=; strict > graders: 0)"),
    ("iou", N(BOX), "[300, 100, 500, 300]", 0, "touching"),
    ("iou", N(BOX), "[150, 150, 250, 250]", 0, "contained, IoU 0.25"),
    ("iou", N(BOX, iou_mode="iou"), "[150, 150, 250, 250]", 0.25, "contained, iou mode"),
    ("iou", N(BOX, iou_mode="iou"), "[50, 50, 350, 350]", 40000 / 90000, "containing, iou mode"),
    ("iou", N(BOX, iou_mode="iou"), "[100, 100, 300, 300]", 1, "exact, iou mode"),
    ("iou", N(BOX, iou_threshold=0.75), "[110, 110, 310, 310]", 1, "IoU 0.822 >= 0.75"),
    ("iou", N(BOX, iou_threshold=0.85), "[110, 110, 310, 310]", 0, "IoU 0.822 < 0.85"),
    ("iou", N([200, 100, 200, 300]), "[100, 100, 300, 300]", 0, "degenerate gold box: no area, IoU 0"),
    ("iou", P([0, 0, 10, 10], (100, 100), iou_mode="iou"), "[0, 0, 5, 10]", 0.5, "continuous areas (+1 convention: 0.545)"),
    ("iou", P([0, 0, 10, 10], (100, 100)), "[0, 0, 4, 10]", 0, "IoU 0.4 either convention"),
    # ---- multi
    ("multi", N(TWO), "[100,100,300,300] [500,500,700,700]", 1, "both"),
    ("multi", N(TWO), "[500,500,700,700] [100,100,300,300]", 1, "order free"),
    ("multi", N(TWO), "[100,100,300,300]", 2 / 3, "one missing"),
    ("multi", N(TWO), "[100,100,300,300] [500,500,700,700] [800,800,900,900]", 0.8, "one extra"),
    ("multi", N(TWO), "[100,100,300,300] [110,110,310,310]", 0.5, "two boxes on one object"),
    ("multi", N(TWO, iou_mode="iou"), "[100,100,300,200] [500,500,700,700]", 0.75, "iou mode mean"),
    ("multi", N(TWO), "(200, 200) and (600, 600)", 1, "points into boxes"),
    ("multi", N(TWO), "(200, 200) (600, 600)", 0, "two adjacent pairs are read as corners, IoU 0.05"),
]


def load_impl(path: str | None):
    if path is None:
        from verifiers.grounding import grounding

        return grounding
    import verifiers

    spec = importlib.util.spec_from_file_location("grounding_under_audit", path)
    module = importlib.util.module_from_spec(spec)
    saved = dict(verifiers._REGISTRY)
    verifiers._REGISTRY.pop("grounding", None)
    spec.loader.exec_module(module)
    verifiers._REGISTRY.clear()
    verifiers._REGISTRY.update(saved)
    return module.grounding


def run(fn) -> tuple[dict, list]:
    per = defaultdict(lambda: [0, 0, 0])  # ok, total, false positives
    fails = []
    for source, sample, response, expected, note in CASES:
        try:
            v = fn(dict(sample), response)
            got = float(v.score if hasattr(v, "score") else v)
        except Exception as e:  # noqa: BLE001 - an exception is a failed case
            got, v = float("nan"), repr(e)
        ok = abs(got - expected) <= TOL
        per[source][0] += ok
        per[source][1] += 1
        fp = expected == 0 and got > 0
        per[source][2] += fp
        if not ok:
            fails.append((source, sample, response, expected, got, note, getattr(v, "details", v)))
    return per, fails


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fails", action="store_true", help="list the cases ours gets wrong")
    ap.add_argument("--impl", help="audit the grounding() of this file instead of verifiers/grounding.py")
    args = ap.parse_args(argv)
    per, fails = run(load_impl(args.impl))
    print(f"{'source':12s} {'ok':>4s} {'n':>4s} {'fp':>3s}", file=sys.stderr)
    for source, (ok, n, fp) in per.items():
        print(f"{source:12s} {ok:4d} {n:4d} {fp:3d}", file=sys.stderr)
    if args.fails:
        for source, sample, response, expected, got, note, details in fails:
            print(f"FAIL [{source}] {note}: expected {expected:.4g} got {got:.4g}\n"
                  f"  sample={sample}\n  response={response!r}\n  details={details}", file=sys.stderr)
    total = sum(n for _, n, _ in per.values())
    correct = sum(ok for ok, _, _ in per.values())
    summary = {"cases": total, "correct": correct, "accuracy": round(correct / total, 4),
               "false_positives": sum(fp for _, _, fp in per.values()), "fails": len(fails),
               "per_source": {s: {"ok": ok, "n": n, "fp": fp} for s, (ok, n, fp) in per.items()}}
    print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
