"""Audit set for the "choice" and "count" verifiers, re-created from public graders' behaviour.

Each case is (response, sample, expected score). The groups follow what a public grader's code or
test suite accepts and rejects (read, not copied); where a grader is cruder than ours (e.g. Video-MME
takes the first capital A-D anywhere) only cases where its answer agrees with common sense are kept.

choice
  vlmevalkit  open-compass/VLMEvalKit vlmeval/utils/matching_util.py: can_infer_option (one option
              letter as a standalone token after splitting on .()[],:;!*#{}; two letters -> no answer;
              refusals -> "Z") and can_infer_text (exactly one option's text inside a short answer)
  mmmu        MMMU-Benchmark/MMMU eval/eval_utils.py parse_multi_choice_response: "(B)" or " B "
              tokens, else an option's text (long answers); several candidates -> the last one
  lighteval   huggingface/lighteval tests/metrics/test_extractive_match.py test_extraction_abc and
              test_multilingual_extraction_abc (IndicesExtractionConfig, NativeLetters)
  opencompass open-compass/opencompass utils/text_postprocessors.py first_option_postprocess
              ("答案是B", "the answer is option B", "the answer to the question is B", "B是正确答案")
  lm_eval     EleutherAI/lm-evaluation-harness MultiChoiceRegexFilter (task regex "answer is
              \\(?([A-J])\\)?", then an option's text, then ":\\s*B") as used by mmlu_pro / gpqa
  videomme    lmms-eval tasks/videomme extract_characters_regex ("The best answer is B", "Best answer:")
  mmstar      lmms-eval tasks/mmstar exact_match (case-insensitive: first char, "(b", "option b",
              "the answer is b")
  issues      the forms public graders were fixed to accept or reject in bug reports:
              inspect_ai #2216 #3910 #5145 #3024, lm-evaluation-harness #4187 #2503 #4188,
              jundot/omlx #3668, aniri15/OPD-V #2, OmniBench #8, IBM/AssetOpsBench #477,
              openai/simple-evals #33
  common      the forms the verifier must handle in general: markdown, boxes, tags, full-width
              parentheses, lowercase, option text, ambiguity, letters inside prose words

count
  vqa         VQAv2 answer normalisation (EvalAIAnswerProcessor manualMap: "none" -> "0", number
              words zero..ten -> digits, punctuation stripped)
  countbench  lmms-eval tasks/countbench (NUMBER_WORD_TO_NUMERAL incl. "none" -> 0) and the
              datologyai countbench extractor ("Answer: N", "there are N ...", "I count N", last line)
  pixmo       lmms-eval tasks/pixmo_count (the number in the answer; "5 people" counts)
  countqa     modelscope/evalscope tests/benchmark/test_count_qa.py (bare integer, markdown, "9.",
              no count in a truncated or evasive reply, "²" is not a count)
  common      number words, units, totals after a breakdown, decimals, negatives, zero phrases

Where graders disagree we keep our documented rule and mark the case "disputed" in its note:
  - "(A) is wrong and (B) is right" / "\\boxed{A} ... \\boxed{B}": MMMU takes the last letter,
    VLMEvalKit (two letters) gives no answer; ours scores an answer naming two letters 0.
  - "A cat" / "A circle is ...": VLMEvalKit (non-verbose) and MMStar read the letter A; ours reads
    the article (lighteval, MMMU with " A " inside sentences, agree only by accident).
  - "2 dogs" for gold 2: VQAv2 exact match says no; CountBench-datology / PixMo / ours say yes.
  - first vs last number: PixMo and CountQA take the first number, datology the last line's; ours a
    number marked as a total, else the last number outside parentheses ("5 apples (3 red, 2 blue)"
    -> 5, "3 red and 2 blue, 5 in all" -> 5, "Row 1 has 3, row 2 has 4. Total: 7" -> 7). Known
    limit: "There are 5 apples: 3 red and 2 blue." reads 2 (last number; first-number graders say 5).

    python benchmarks/choice_count_audit_cases.py           # per-source table, then one JSON line
    python benchmarks/choice_count_audit_cases.py --fails   # also the cases ours gets wrong
"""
from __future__ import annotations

import json
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SHAPES = ["red circle", "blue circle", "green square", "yellow triangle"]
COLOURS = ["red", "blue", "green", "yellow"]
NUMS = ["2", "3", "4", "5"]
ANIMALS = ["cat", "dog"]


def mc(response: str, gold: str, expected: int, choices: list | None = None, note: str = "") -> tuple:
    sample = {"task": "choice", "answer": gold}
    if choices is not None:
        sample["choices"] = choices
    return ("choice", response, sample, expected, note)


def ct(response: str, gold, expected: int, note: str = "") -> tuple:
    return ("count", response, {"task": "count", "answer": gold}, expected, note)


# ---- VLMEvalKit can_infer_option / can_infer_text
VLMEVALKIT = [
    mc("B", "B", 1, SHAPES),
    mc("B", "C", 0, SHAPES),
    mc("(B)", "B", 1, SHAPES),
    mc("B.", "B", 1, SHAPES),
    mc("B: blue circle", "B", 1, SHAPES),
    mc("[B]", "B", 1, SHAPES),
    mc("{B}", "B", 1, SHAPES),
    mc("B!", "B", 1, SHAPES),
    mc("### B", "B", 1, SHAPES),
    mc("**B**", "B", 1, SHAPES),
    mc("A and B", "B", 0, SHAPES, "two letters: no answer"),
    mc("B, C", "B", 0, SHAPES, "two letters: no answer"),
    mc("blue circle", "B", 1, SHAPES, "can_infer_text"),
    mc("Blue Circle", "B", 1, SHAPES, "can_infer_text lowercases"),
    mc("The shape is a blue circle.", "B", 1, SHAPES, "one option text inside a short answer"),
    mc("It is blue.", "B", 1, COLOURS, "one option text inside a short answer"),
    mc("red circle", "B", 0, SHAPES),
    mc("circle", "B", 0, SHAPES, "no option's full text"),
    mc("It is either the red circle or the blue circle.", "B", 0, SHAPES, "two option texts"),
    mc("Cannot determine the answer", "B", 0, SHAPES, "refusal"),
    mc("Sorry, I can't help with images of people yet.", "A", 0, SHAPES, "refusal"),
    mc("A cat is on the mat.", "A", 0, None, "disputed: VLMEvalKit reads the letter A"),
]

# ---- MMMU parse_multi_choice_response
MMMU = [
    mc("The answer is (B).", "B", 1, SHAPES),
    mc("The correct answer is (B) blue circle.", "B", 1, SHAPES),
    mc("Answer: B blue circle", "B", 1, SHAPES),
    mc("B blue circle", "B", 1, SHAPES),
    mc("After looking at the image carefully, the object is clearly a blue circle", "B", 1, SHAPES,
       "content answer (more than 5 tokens)"),
    mc("The answer is (C).", "B", 0, SHAPES),
    mc("Both (B) and (C) look plausible.", "B", 0, SHAPES, "MMMU takes the last (C); ours: ambiguous"),
    mc("I think (A) is wrong and (B) is right.", "B", 0, SHAPES, "disputed: MMMU takes the last letter"),
    mc("(A) (B)", "B", 0, SHAPES, "disputed: MMMU takes the last letter"),
    mc("I think A is wrong, the answer is C", "C", 1, SHAPES, "MMMU: last standalone letter"),
    mc("I think A is wrong, the answer is C", "A", 0, SHAPES),
    mc("The answer is D", "B", 0, SHAPES),
]

# ---- lighteval test_extractive_match.py (NativeLetters); gold-side forms used as predictions
LIGHTEVAL = [
    mc("thinking about it I think the correct answer is C", "C", 1),
    mc("Let's think step by step. It's not A because it doesn't make sense, therefore I think it's B", "B", 1),
    mc("The answer is for sure D, it can't be A or B", "D", 1),
    mc("The answer: D, it doesn't make sense for it to be A or B", "D", 1),
    mc("D. it can't be A or B", "D", 1),
    mc("D", "D", 1),
    mc("C", "A", 0),
    mc("C Cecile", "C", 1),
    mc("Alina and the answer is\n(C) Cecile", "C", 1),
    mc("Alina and the answer is\nC Cecile", "C", 1),
    mc("A Peter\nCelina bum", "A", 1),
    mc("B。 不是 A", "B", 1),
    mc("B。不是 A", "B", 1),
    mc("B不是 A", "B", 1),
]

# ---- OpenCompass first_option_postprocess
OPENCOMPASS = [
    mc("答案是B", "B", 1),
    mc("答案：C", "C", 1),
    mc("答案为 D。", "D", 1),
    mc("The answer is option B", "B", 1),
    mc("The correct answer is option B", "B", 1),
    mc("The answer to the question is B", "B", 1),
    mc("the answer to this question is (C).", "C", 1),
    mc("选项B正确", "B", 1),
    mc("B是正确答案", "B", 1),
    mc("故选C。", "C", 1),
    mc("答案是B", "C", 0),
]

# ---- lm-evaluation-harness MultiChoiceRegexFilter / mmlu_pro "answer is \(?([A-J])\)?"
LM_EVAL = [
    mc("Let's think step by step. ... the answer is (B)", "B", 1),
    mc("Let's think step by step. ... the answer is (D)", "B", 0),
    mc("The answer is J.", "J", 1),
    mc("Final choice: B", "B", 1, SHAPES, "':\\s*B' fallback"),
    mc("I believe it's the blue circle", "B", 1, SHAPES, "option-text fallback"),
    mc("I believe it's the green square", "B", 0, SHAPES),
]

# ---- Video-MME extract_characters_regex
VIDEOMME = [
    mc("The best answer is B.", "B", 1),
    mc("Best answer: C", "C", 1),
    mc("The correct answer is D", "D", 1),
    mc("(A)", "A", 1),
    mc("The best answer is B.", "A", 0),
]

# ---- MMStar exact_match
MMSTAR = [
    mc("a", "A", 1),
    mc("(c)", "C", 1),
    mc("option b", "B", 1),
    mc("Option D", "D", 1),
    mc("the answer is c", "C", 1),
    mc("the answer is c", "B", 0),
    mc("(d) yellow triangle", "D", 1, SHAPES),
]

# ---- grader bug reports: the forms they were fixed to accept or reject (expected = the fixed behaviour)
ISSUES = [
    # UKGovernmentBEIS/inspect_ai #2216: letters inside words of an answer line are not choices
    mc("ANSWER: None of the above", "A", 0), mc("ANSWER: None of the above", "B", 0),
    mc("ANSWER: Don't know", "D", 0), mc("ANSWER: I don't know", "D", 0), mc("ANSWER: I don't know", "I", 0),
    # inspect_ai #3910: lowercase letters; the last ANSWER line wins over a prose "Answer:"
    mc("ANSWER: b", "B", 1), mc("Answer: this asks which is a colour\n...\nANSWER: B", "B", 1),
    # inspect_ai #5145: LaTeX / markdown decoration
    mc("ANSWER: $B$", "B", 1), mc("ANSWER: **B**", "B", 1), mc("ANSWER: (B)", "B", 1),
    # inspect_ai #3024: an earlier "answer: ..." in prose does not shadow the final one
    mc("  - True answer: only chapter 2 remains => 1.\n\nANSWER: A", "A", 1),
    # lm-evaluation-harness #4187 / #2503 / #4188 (mmlu generative)
    mc("B. 4", "B", 1), mc("B. \\(6x^2 + 4x + 6\\)", "B", 1), mc("ANSWER: B", "B", 1),
    mc("Correct answer is (B)", "B", 1), mc("(B)\n", "B", 1), mc("d", "D", 1), mc("b. 4", "B", 1),
    mc("The answer is B because a car moves.", "B", 1), mc("The answer is B because a car moves.", "A", 0),
    mc("I would pick B \u2014 a safe choice.", "B", 1), mc("I would pick B \u2014 a safe choice.", "A", 0),
    # jundot/omlx #3668: a stated answer is not overwritten by later letters; "I" (MMLU-Pro option) in prose
    mc("The answer is B. Note that A is a common distractor.", "B", 1),
    mc("ANSWER IS D. A is incorrect.", "D", 1),
    mc("The answer is C because I computed the integral.", "C", 1),
    mc("The answer is C because I computed the integral.", "I", 0),
    # aniri15/OPD-V #2: first capital letter is not the answer
    mc("Answer: **D**", "D", 1), mc("Answer: **D**", "A", 0),
    mc("I considered (A), but it is incorrect. Final answer: D.", "D", 1),
    mc("I considered (A), but it is incorrect. Final answer: D.", "A", 0),
    mc("The correct answer is d.", "D", 1), mc("The correct answer is d.", "T", 0),
    # multimodal-art-projection/OmniBench #8 (MMMU parser): "C. A pretty girl" is C, not A
    mc("C. A pretty girl in a red dress", "C", 1), mc("C. A pretty girl in a red dress", "A", 0),
    # IBM/AssetOpsBench #477: "the answer is C" mid-sentence; a lone letter at the end
    mc("After comparing the options, the answer is C.", "C", 1),
    mc("...the temperature and vibration data both point to bearing wear...\n\nC", "C", 1),
    # openai/simple-evals #33 (English form): an empty "Answer:" before the real one
    mc("Answer:\n\nAnswer: C", "C", 1), mc("Answer:\n\nAnswer: C", "A", 0),
]

# ---- common forms
COMMON_CHOICE = [
    mc("The answer is (B).", "B", 1, SHAPES),
    mc("The answer is **B**.", "B", 1, SHAPES),
    mc("B. blue circle", "B", 1, SHAPES),
    mc("\\boxed{B}", "B", 1, SHAPES),
    mc("$\\boxed{\\text{(B) blue circle}}$", "B", 1, SHAPES),
    mc("Answer: B", "B", 1, SHAPES),
    mc("ANSWER: B", "B", 1, SHAPES),
    mc("final answer: (B)", "B", 1, SHAPES),
    mc("Answer: B) blue circle", "B", 1, SHAPES),
    mc("b", "B", 1, SHAPES),
    mc("b. blue circle", "B", 1, SHAPES),
    mc("(b) blue circle", "B", 1, SHAPES),
    mc("The answer is (b) because it is round and blue.", "B", 1, SHAPES),
    mc("(B) and (C)", "B", 0, SHAPES, "two letters"),
    mc("Either A or B", "A", 0, None, "two letters"),
    mc("Answer: A\nAnswer: B", "B", 0, None, "two letters"),
    mc("\\boxed{A}\n\nWait, let me re-check.\n\n\\boxed{B}", "B", 0, None, "disputed: MMMU-like graders take the last"),
    mc("Because the shape is round, it's a circle.", "B", 0, None, "letter inside a word"),
    mc("Clearly, the circle is blue.", "C", 0, None, "letter inside a word"),
    mc("Vitamin C is essential.", "C", 0, None, "a letter in prose"),
    mc("C++ is a language.", "C", 0, None),
    mc("B-cells divide.", "B", 0, None),
    mc("A circle is shown.", "A", 0, None, "article"),
    mc("A.", "A", 1),
    mc("A", "B", 0),
    mc("The answer is E", "B", 0, SHAPES),
    mc("None of the options are correct.", "B", 0, SHAPES),
    mc("", "B", 0, SHAPES),
    mc("（B）", "B", 1, SHAPES, "full-width parentheses"),
    mc("答案：（B）", "B", 1, SHAPES),
    mc("Ｂ", "B", 1, SHAPES, "full-width letter"),
    mc("B\n\nExplanation: the blue circle is the only blue shape; A and C are red and green.", "B", 1, SHAPES),
    mc("The answer is B. The other options (A, C, D) are incorrect because they are not blue.", "B", 1, SHAPES),
    mc("### Answer\n**B**", "B", 1, SHAPES),
    mc("- **Answer:** B", "B", 1, SHAPES),
    mc("`B`", "B", 1, SHAPES),
    mc('"B"', "B", 1, SHAPES),
    mc('The answer is "B".', "B", 1, SHAPES),
    mc("<answer>\nB\n</answer>", "B", 1, SHAPES),
    mc("B is the correct option.", "B", 1, SHAPES),
    mc("Option B is correct.", "B", 1, SHAPES),
    mc("Choice (B)", "B", 1, SHAPES),
    mc("The correct choice is B.", "B", 1, SHAPES),
    mc("It's B.", "B", 1, SHAPES),
    mc("I'd go with B.", "B", 1, SHAPES),
    mc("I choose C.", "C", 1, SHAPES),
    mc("So the answer should be B.", "B", 1, SHAPES),
    mc("The answer must be B.", "B", 1, SHAPES),
    mc("Looking at the image, I see a blue circle, so the answer is B.", "B", 1, SHAPES),
    mc("Based on the image, B.", "B", 1, SHAPES),
    mc("The shape is blue and round.\n\nB", "B", 1, SHAPES, "a final line with only the letter"),
    mc("The answer is B", "blue circle", 1, SHAPES, "gold given as option text"),
    mc("(B)", "b", 1, SHAPES, "lowercase gold"),
    mc("The shape in the picture is round and blue.", "B", 0, None, "no letter, no options"),
    mc("3", "B", 1, NUMS, "option text"),
    mc("There are 3 apples.", "B", 1, NUMS, "one option text inside a short answer"),
    mc("There are 4 apples.", "B", 0, NUMS),
    mc("3 or 4", "B", 0, NUMS, "two option texts"),
    mc("It's a cat.", "A", 1, ANIMALS),
    mc("Cat", "A", 1, ANIMALS),
    mc("It's a dog, not a cat.", "B", 1, ANIMALS, "VLMEvalKit: two texts, no answer; ours skips the negated one"),
    mc("It's not a dog.", "B", 0, ANIMALS, "negated option text"),
    mc("Yes", "A", 1, ["yes", "no"]),
    mc("The answer is B, C is wrong.", "B", 1, SHAPES),
    mc("The answer is A, B", "B", 0, SHAPES, "two letters"),
    mc("(A) red circle\n(B) blue circle\n(C) green square", "A", 0, SHAPES, "an echo of the options"),
    mc("(A) red\n(B) blue\n(C) green\n\nB", "B", 1, None, "a lone letter after listing the options"),
    mc("The options are A, B, C, D.", "D", 0),
    mc("Options: A) red B) blue", "B", 0),
    mc("answer: (a) and (c)", "A", 0, None, "two letters"),
    mc("答案是 B 和 C", "B", 0, None, "two letters"),
    mc("A and C are wrong, so B.", "B", 1), mc("A and C are wrong, so B.", "A", 0),
    mc("B is wrong.", "B", 0, None, "disputed: VLMEvalKit / MMMU read the one letter B"),
    mc("It's clearly not B.", "B", 0),
    mc("In summary, A is the answer.", "A", 1),
    mc("I would say B", "B", 1),
    mc("Point B is at the top, so the triangle ABC is right-angled.", "B", 0),
    mc("The answer is the blue circle", "B", 1, SHAPES),
    mc("It is not a blue circle.", "B", 0, SHAPES, "negated option text"),
    mc("The image shows a blue circle and a red circle.", "B", 0, SHAPES, "two option texts"),
]

# ---- VQAv2 normalisation (manualMap, punctuation)
VQA = [
    ct("two", 2, 1),
    ct("2", 2, 1),
    ct("none", 0, 1),
    ct("None", 0, 1),
    ct("zero", 0, 1),
    ct("ten", 10, 1),
    ct("2.", 2, 1),
    ct("three", 2, 0),
    ct("one", 1, 1),
    ct("1", 1, 1),
    ct("none", 1, 0),
    ct("2 dogs", 2, 1, "disputed: VQAv2 exact match rejects extra words"),
]

# ---- CountBench (lmms-eval word map; datology extractor)
COUNTBENCH = [
    ct("Seven", 7, 1),
    ct("7", 7, 1),
    ct("twenty", 20, 1),
    ct("eleven", 11, 1),
    ct("There are 5 dogs in the image.", 5, 1),
    ct("I count 6 birds.", 6, 1),
    ct("Final answer: 4", 4, 1),
    ct("Therefore, the number of apples is 8.", 8, 1),
    ct("The image shows nine cats.", 9, 1),
    ct("Answer: twelve", 12, 1),
    ct("There are 5 dogs in the image.", 4, 0),
    ct("Let me count: 1, 2, 3, 4.\nAnswer: 4", 4, 1),
]

# ---- PixMo-Count (lmms-eval)
PIXMO = [
    ct("5", 5, 1),
    ct("There are 5 people.", 5, 1),
    ct("5 people", 5, 1),
    ct("The count is 12.", 12, 1),
    ct("12", 11, 0),
]

# ---- modelscope/evalscope tests/benchmark/test_count_qa.py (CountQA parse_count)
COUNTQA = [
    ct("12", 12, 1), ct(" 7\n", 7, 1), ct("**23**", 23, 1), ct("9.", 9, 1), ct("0", 0, 1),
    ct("There are approximately 12 boxes visible.", 12, 1), ct("I count 18 tiles on that wall.", 18, 1),
    ct("Row 1 has 3, row 2 has 4. Total: 7", 7, 1, "disputed: CountQA takes the first integer (1)"),
    ct("3 apples and 4 pears, so 7 in total.", 7, 1, "disputed: CountQA takes the first integer (3)"),
    ct("3 apples and 4 pears, so 7 in total.", 3, 0),
    ct("Let me carefully examine the image and", 3, 0), ct("", 15, 0), ct("I cannot tell how many there are.", 0, 0),
    ct("\u00b2", 2, 0, "a superscript is not a count"),
    ct("103", 100, 0), ct("4", 5, 0), ct("1", 0, 0),
]

# ---- common forms
COMMON_COUNT = [
    ct("three", 3, 1),
    ct("3 apples", 3, 1),
    ct("there are 3 red and 2 blue, 5 in total", 5, 1),
    ct("there are 3 red and 2 blue, 5 in total", 3, 0),
    ct("-3", 3, 0),
    ct("3.5", 3, 0),
    ct("3.5", 4, 0),
    ct("The answer is 4.5", 4, 0),
    ct("No shapes.", 0, 1),
    ct("There are no circles in the image.", 0, 1),
    ct("There is no dog.", 0, 1),
    ct("no dogs", 0, 1),
    ct("No one is in the picture.", 0, 1),
    ct("There aren't any triangles.", 0, 1),
    ct("I don't see any triangles in the image.", 0, 1),
    ct("There are none.", 0, 1),
    ct("<answer>none</answer>", 0, 1),
    ct("The answer is none.", 0, 1),
    ct("There are no triangles, but there are 3 circles.", 3, 1),
    ct("There are no triangles, but there are 3 circles.", 0, 0),
    ct("No idea.", 0, 0),
    ct("No.", 0, 0),
    ct("Not sure.", 0, 0),
    ct("No, there are 3 dogs.", 3, 1),
    ct("None of the shapes are red; there are 4 shapes.", 4, 1),
    ct("4 shapes, none of which are red.", 4, 1),
    ct("There are 5 circles (3 red and 2 blue).", 5, 1),
    ct("5 in total (3 red, 2 blue)", 5, 1),
    ct("**Answer**: 4\n\nI counted 2 red and 2 blue.", 4, 1),
    ct("\\boxed{5}", 5, 1),
    ct("<answer>5</answer>", 5, 1),
    ct("The answer is 5.", 5, 1),
    ct("five apples", 5, 1),
    ct("Five.", 5, 1),
    ct("I count one apple.", 1, 1),
    ct("There is a single apple.", 1, 1),
    ct("3个", 3, 1),
    ct("共有３个苹果", 3, 1, "full-width digit"),
    ct("答案是5", 5, 1),
    ct("1,000", 1000, 1),
    ct("3.0", 3, 1),
    ct("twenty-five", 25, 1),
    ct("There are twenty one birds.", 21, 1),
    ct("Answer: 3 (three)", 3, 1),
    ct("There are 3 apples. Wait, actually there are 4.", 4, 1),
    ct("around 7", 7, 1),
    ct("the 3rd one", 3, 0),
    ct("2 + 3 = 5", 5, 1),
    ct("Count: 6", 6, 1),
    ct("There are 6 items.\n\nAnswer: 6", 6, 1),
    ct("\\boxed{6 \\text{ apples}}", 6, 1),
    ct("\\boxed{\\text{six}}", 6, 1),
    ct("$6$", 6, 1),
    ct("0", 0, 1),
    ct("There are 0 cats.", 0, 1),
    ct("I see 2 red and 3 blue, 5 in all.", 5, 1),
    ct("The answer is **7**.", 7, 1),
    ct("**7**", 7, 1),
    ct("I counted 4, so \\boxed{4}.", 4, 1),
    ct("\\boxed{4}", 5, 0),
    ct("many", 3, 0),
    ct("", 0, 0),
    ct("one hundred and five", 105, 1),
    ct("There is not a single apple.", 0, 1), ct("There is not a single apple.", 1, 0),
    ct("There are two dogs. One is black.", 2, 1),
    ct("Only one is visible.", 1, 1),
    ct("The image contains 4 objects in all: 2 cats and 2 dogs.", 4, 1),
    ct("answer: 2 + 3 = 5", 5, 1), ct("The answer is 5 = 2 + 3", 5, 1),
    ct("Answer: 3 red and 2 blue, 5 in total", 5, 1),
    ct("I can't count them.", 0, 0), ct("There is no image.", 0, 0),
    ct("I see 3 dogs (and one cat).", 3, 1),
    ct("There are 3 red balls. In total, there are 8 balls.", 8, 1),
]

SOURCES = {
    "vlmevalkit": VLMEVALKIT,
    "mmmu": MMMU,
    "lighteval": LIGHTEVAL,
    "opencompass": OPENCOMPASS,
    "lm_eval": LM_EVAL,
    "videomme": VIDEOMME,
    "mmstar": MMSTAR,
    "issues": ISSUES,
    "common_choice": COMMON_CHOICE,
    "vqa": VQA,
    "countbench": COUNTBENCH,
    "pixmo": PIXMO,
    "countqa": COUNTQA,
    "common_count": COMMON_COUNT,
}

# (source, verifier, response, sample, expected, note)
CASES = [(src, *row) for src, rows in SOURCES.items() for row in rows]


def _score(verifier: str, sample: dict, response: str) -> float:
    from verifiers import get_verifier

    result = get_verifier(verifier)(sample, response)
    return float(getattr(result, "score", result) or 0.0)


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    per = defaultdict(lambda: [0, 0, 0])  # n, correct, false positives
    fails = []
    for i, (src, verifier, response, sample, expected, note) in enumerate(CASES):
        got = _score(verifier, sample, response)
        row = per[src]
        row[0] += 1
        row[1] += (got == 1.0) == bool(expected)
        row[2] += got == 1.0 and not expected
        if (got == 1.0) != bool(expected):
            fails.append((i, src, verifier, response, sample, expected, got, note))
    print(f"{'source':14} {'n':>4} {'acc':>6} {'fp':>3}")
    for src in SOURCES:
        n, ok, fp = per[src]
        print(f"{src:14} {n:4d} {ok / n:6.3f} {fp:3d}")
    if "--fails" in argv:
        for i, src, verifier, response, sample, expected, got, note in fails:
            print(f"[{i}] {src}/{verifier} expected={expected} got={got} answer={sample['answer']!r} "
                  f"response={response[:160]!r}" + (f"  ({note})" if note else ""))
    n = len(CASES)
    out = {
        "n": n,
        "n_choice": sum(c[1] == "choice" for c in CASES),
        "n_count": sum(c[1] == "count" for c in CASES),
        "accuracy": round(sum(r[1] for r in per.values()) / n, 4),
        "false_positives": sum(r[2] for r in per.values()),
        "false_negatives": sum(1 for f in fails if f[5]),
        "expected_false": sum(not c[4] for c in CASES),
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
