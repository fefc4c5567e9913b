"""Independent audit set for the "math" verifier, re-created from public graders' own test cases.

Unlike benchmarks/math_cases.py (written alongside the verifier's rules), every case here is taken
from a public grader's test suite, as the (gold, prediction, expected) triple it asserts there:

  mv_all         huggingface/Math-Verify tests/test_all.py (numbers, latex notation, percent,
                 relations, matrices, long model outputs, "Issue #n" regressions, punctuation)
  mv_numina      Math-Verify tests/test_numina_cases.py
  mv_openthoughts Math-Verify tests/test_open_thoughts.py
  mv_yujianll    Math-Verify tests/test_yujianll.py
  mv_mixed       Math-Verify tests/test_mixed_number_extraction.py (as gold/pred pairs)
  mv_failed_span Math-Verify tests/test_failed_latex_span.py (as gold/pred pairs)
  mv_misc        Math-Verify tests/test_strict.py (strict default) and test_string_extraction.py
  hendrycks      hendrycks/math modeling/math_equivalence_test.py (is_equiv)
  mario          MARIO-Math-Reasoning/MARIO_EVAL math_evaluation/tests/test_is_equiv.py (+ demo.py)
  qwen           QwenLM/Qwen2.5-Math evaluation/grader.py (unit tests and _test_math_equal)
  lighteval      huggingface/lighteval tests/metrics/test_extractive_match.py and test_math_eval.py
                 (multiple-choice letters, multilingual outputs, numina additions)

Some suites run with non-default options (precision, match types); the expected value is what the
suite asserts, even where suites disagree: MATH's is_equiv says "10, 4, -2" != "4, 10, -2" while
MARIO says "1, 2, 3" == "1, 3, 2"; lighteval's test_math_eval.py says "(3,1)" == "{1,3}" while
Math-Verify's test_all.py says the opposite. A few very long model outputs are shortened in the middle (their endings, which carry
the answers, are kept).

    python benchmarks/math_audit_cases.py            # per-source table (stderr) + one JSON line
    python benchmarks/math_audit_cases.py --fails    # also list the cases ours gets wrong

"ours" is `verifiers.math.math_equal(gold, pred)`; "mathverify" is math-verify's default
`verify(parse(gold), parse(pred))`. A false positive is a case expected False judged True.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.math_audit_mathverify import (  # noqa: E402  Math-Verify's tables
    MV_ALL, MV_ALL2, MV_NUMINA, MV_OPEN_THOUGHTS,
    MV_YUJIANLL, MV_MIXED, MV_FAILED_SPAN, MV_STRICT_STRING,
)

HENDRYCKS = [
    ("\\tfrac{1}{2} + \\frac1{72}", "\\\\frac{1}{2} + 2/3", 0),
    ("10, 4, -2", "4, 10, -2", 0),
    ("10, 4, 2", "4, 12, 2", 0),
    ("\\tfrac{1}{2} +\\! \\frac1{72}", "\\\\dfrac{1}{2} +\\frac{1}{72}", 1),
    ("10\\text{ units}", "10 ", 1),
    ("10\\text{ units}", "100 ", 0),
    ("10", "\\$10", 1),
    ("\\left(x-2\\right)\\left(x+2\\right)", "(x-2)(x+2)", 1),
    ("0.1, 4, 2", "4, .1, 2", 0),
    ("0.1", ".1", 1),
    ("10\\%", "10", 1),
    ("10\\sqrt{3} + \\sqrt4", "10\\sqrt3 + \\sqrt{4}", 1),
    ("\\frac34i", "\\frac{3}{4}i", 1),
    ("\\tfrac83", "\\frac{8}{3}", 1),
    ("5x - 7y + 11z + 4 = 0", "x + y - z + 2 = 0", 0),
    ("1/2", "\\frac{1}{2}", 1),
]

MARIO = [
    ("{x, x - 1}", "{x - 1, x}", 1),
    ("x + \\sqrt2I", "x + 1.414I", 1),
    ("11,\\! 111,\\! 111,\\! 100", "11111111100", 1),
    ("1 1/2", "1.5", 1),
    ("4210_{7}", "4210_7", 1),
    ("1\\frac12", "1.5", 1),
    ("2\\frac58", "2.625", 1),
    (".1, 4.0", "0.1, 4", 1),
    ("10\\%", "10", 1),
    ("10\\%", "0.1", 1),
    ("\\frac13, \\sqrt3, \\pi", "1/3, 1.732, 3.1416", 1),
    ("40\\pi", "125.663", 1),
    ("1, 2, 3", "1, 3, 2", 1),
    ("7, -2, \\text{ and } -5", "-5,-2,7", 1),
    ("[1, 2, 3]", "(1, 3, 2)", 0),
    ("[x, x + 1]", "[x, 1 + x]", 1),
    ("[x, x + 1]", "[x + 1, x]", 0),
    ("1+2i", "i(2-i)", 1),
    ("\\tfrac23 +\\frac1{72}", "\\\\dfrac{2}{3} +\\frac{1}{72}", 1),
    ("$\\frac{\\sqrt{17}}{17}$", "$\\frac{\\sqrt{17}}{17}$", 1),
    ("$\\frac{4\\sqrt{5}}{5}$", "$\\frac{4\\sqrt{5}}{5}$", 1),
    ("\\frac{\\sqrt{3}}{2}", "0.8660254037844386", 1),
    ("10\\text{ units}", "10", 1),
    ("10 square units", "10", 1),
    ("10 \\text{cm}", "10", 1),
    ("10\\text{ cm}^2", "10", 1),
    ("10\\text{ cm}^{2}", "10", 1),
    ("10weeks", "10", 1),
    ("10 weeks", "10", 1),
    ("10 cm^2", "10", 1),
    ("20:34", "20:34:00", 1),
    ("20:34", "08:34 \\text{P.M.}", 1),
    ("10cm", "10", 0),
    ("10m", "10", 0),
    ("10", "\\$10", 1),
    ("\\left(x-2\\right)\\left(x+2\\right)", "(x-2)(x+2)", 1),
    ("10\\sqrt{3} + \\sqrt4", "10\\sqrt3 + \\sqrt{4}", 1),
    ("$\\sqrt{5}$", "$\\\\sqrt{5}$", 1),
    ("5x - 7y + 11z + 4 = 0", "x + y - z + 2 = 0", 0),
    ("\\sin(x)=\\frac{42}{59}", "\\cos(x)=\\frac{42}{59}", 0),
    ("$\\frac{v_{0}}{r_{0}} \\frac{1}{\\left(1+r / r_{0}\\right)^{3 / 2}}$", "$\\frac{v_0 \\cdot \\left(\\frac{r_0}{r + r_0}\\right)^{0.5}}{(r + r_0)}$", 1),
    ("11z^{7}(5+11z^{7})", "11z^7(11z^7+5)", 1),
    ("$\\frac{8-7x}{6}$", "$4/3-7x/6$", 1),
    ("(2x+3)(2x -1)(2x+1)", "(2x - 1)(2x + 1)(2x + 3)", 1),
    ("2^6 * 3^5 * 5^4", "2^6 3^5 5^4", 1),
    ("\\begin{pmatrix} 1 & 1/2 \\\\ 1/3 & 4 \\end{pmatrix}", "\\begin{pmatrix} 1 & 0.5 \\\\ 1/3 & 4 \\end{pmatrix}", 1),
    ("\\begin{matrix} x \\\\ \\sqrt{3} + 2x  \\\\ \\frac12 \\end{matrix}", "\\begin{matrix} x \\\\ \\sqrt{3} + 2x \\\\ 0.5 \\end{matrix}", 1),
    ("\\\\begin{matrix} x \\\\\\\\ \\\\sqrt{3} + 2I  \\\\\\\\ \\\\frac12 \\\\end{matrix}", "\\begin{matrix} x \\\\ \\sqrt{3} + 2I \\\\ 0.5 \\end{matrix}", 1),
    ("\\begin{matrix} \\frac12 \\\\ 1 \\end{matrix}", "[0.5, 1]", 1),
    ("\\begin{cases} a+b=\\frac12 \\\\ a-b=\\sqrt3 \\end{cases}", "\\begin{cases} a+b=0.5\\\\ a-b=1.732\\end{cases}", 1),
    ("\\sec x", "\\frac1{\\cos x}", 1),
    ("\\sin(90^{\\circ}-x)", "\\cos(x)", 1),
    ("2.314814814815 \\times 10^{-3}", "\\frac{1}{432}", 1),
    ("x \\in [0.5, \\infty)", "[1/2, \\infty)", 1),
    ("[1,+\\infty)", "[2^{\\frac{1}{2^{1000}}}, \\infty)", 1),
    ("[-3,2]", "(-3,2)", 0),
    ("[1, 2)", "[x, y)", 0),
    ("x = 1, y = 2, z = 3", "1, 2, 3", 1),
    ("f(x) = 2x + 3", "2x + 3", 1),
    ("f(x) = 2x + 3", "y = 2x + 3", 1),
    ("\\left(-\\tfrac52, -\\tfrac52\\right)", "(-2.5,-2.5)", 1),
]

# Qwen2.5-Math evaluation/grader.py: unit tests and _test_math_equal (gold = reference)
QWEN = [
    ("10", "10", 1),
    ("20", "10", 0),
    ("0.1", "10%", 1),
    ("0.2", "10%", 0),
    ("[1, 2, 3]", "[1, 2, 3]", 1),
    ("[1, 2, 4]", "[1, 2, 3]", 0),
    ("(1, 2, 3)", "(1, 2, 3)", 1),
    ("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", 1),
    ("\\begin{pmatrix}1&2\\\\3&5\\end{pmatrix}", "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", 0),
    ("x = y", "x = y", 1),
    ("x = z", "x = y", 0),
    ("10", "x = 10", 1),
    ("x = 10", "10", 1),
    ("\\frac{1}{12}", "0.0833333333333333", 1),
    ("(1,\\frac{9}{2})", "(1,4.5)", 1),
    ("\\frac{x+2}{7}", "\\frac{x}{7}+\\frac{2}{7}", 1),
    ("\\tan^2(y)+1", "\\sec^2(y)", 1),
    ("(\\begin{pmatrix}-\\frac{7}{4}&-2\\\\4&\\frac{1}{4}\\\\\\end{pmatrix})", "\\begin{pmatrix}-\\frac{7}{4}&-2\\\\4&\\frac{1}{4}\\end{pmatrix}", 1),
    ("(\\begin{pmatrix}\\frac{1}{3\\sqrt[3]{x}^2}&0&0\\\\0&1&0\\\\-\\sin(x)&0&0\\\\\\end{pmatrix})", "\\begin{pmatrix}\\frac{1}{3x^{2/3}}&0&0\\\\0&1&0\\\\-\\sin(x)&0&0\\end{pmatrix}", 1),
    ("-\\frac{2(x^2+6)}{9(x^2-2)\\sqrt[3]{x^2-2}^2}", "-\\frac{8x^2}{9(x^2-2)^{5/3}}+\\frac{2}{3(x^2-2)^{2/3}}", 1),
    ("34x+45y-20z+100=0", "-34x-45y+20z-100=0", 1),
    ("\\frac{\\sqrt{\\sqrt{11}+\\sqrt{194}}}{15+2\\sqrt{33}}", "\\frac{\\sqrt{\\sqrt{11}+\\sqrt{194}}}{2\\sqrt{33}+15}", 1),
    ("(a+5)(b+2)", "(+5)(b+2)", 0),
    ("2", "\\frac{1+\\sqrt{5}}{2}", 0),
    ("4", "\\frac{34}{16}+\\frac{\\sqrt{1358}}{16}", 0),
    ("1\\sqrt{19}", "1", 0),
    ("(\\frac{3}{5},\\frac{8}{3}]", "(0.6,2.6667]", 1),
    ("x+2n+1", "x+1", 0),
    ("D", "\\mathrm{(D)\\}1,008,016", 1),
]

LIGHTEVAL = [
    # test_extraction_abc (NativeLetters)
    ("C", "thinking about it I think the correct answer is C", 1),
    ("B", "Let's think step by step. It's not A because it doesn't make sense, therefore I think it's B", 1),
    ("D", "The answer is for sure D, it can't be A or B", 1),
    ("D", "The answer: D, it doesn't make sense for it to be A or B", 1),
    ("D", "The answer: D, doesn't makese nsense for answer to be A or B", 1),
    ("D", "D. it can't be A or B", 1),
    ("(D) Alina", "D", 1),
    ("(A) Cecile", "C", 0),
    ("C Cecile", "C", 1),
    ("Alina and the answer is\n(C) Cecile", "C", 1),
    ("Alina and the answer is\nC Cecile", "C", 1),
    ("A Peter\nCelina bum", "A", 1),
    # test_multilingual_extraction_abc
    ("C", "réponse est C non A", 1),
    ("B", "B。 不是 A", 1),
    ("B", "B。不是 A", 1),
    ("B", "B不是 A", 1),
    # test_multilingual_extraction_math
    ("13", "首先，我们知道最初有3只鸟和4只鹳鸟坐在篱笆上，所以总共有3 + 4 = 7只鸟和鹳鸟。 然后，又有6只鹳鸟来加入它们，所以鹳鸟的总数变成4 + 6 = 10只。 因此，现在篱笆上总共有3只鸟（假设鸟的数量没有变化）和10只鹳鸟，所以一共有3 + 10 = 13只鸟和鹳鸟。", 1),
    ("3", "瑞秋的数学作业有5页，阅读作业有2页。 要找出数学作业比阅读作业多多少页，我们可以简单地进行减法运算： 5页（数学作业） - 2页（阅读作业） = 3页 因此，瑞秋的数学作业比阅读作业多 **3页**。", 1),
    ("858", "要解决这个问题，我们可以按照以下步骤进行： 1. **确定每个袋子里的糖果数量**：弗兰克将糖果放入26个袋子里，每个袋子里有33颗糖果。 2. **计算总糖果数量**：如果每个袋子里有33颗糖果，那么26个袋子里的糖果总数为：33颗/袋 * 26袋 = 858颗。 因此，弗兰克一共有**858颗**糖果。 ", 1),
    ("192", "让我们一步步来解决这个问题。 我们知道杰西减掉了126公斤，她目前的体重是66公斤。要找到她开始慢跑前的体重，我们只需将她减掉的体重添加到她当前的体重上： 66公斤（当前体重） + 126公斤（减掉的体重） = 192公斤 因此，杰西开始慢跑前的体重是192公斤。 ", 1),
    ("8722", "让我们一步步来解决这个问题。 我们知道每件T恤的利润是98美元。在阿肯色州比赛和德克萨斯理工大学比赛期间，他们总共卖出了163件T恤。其中，在阿肯色州比赛期间卖出了89件T恤。 要计算从阿肯色州比赛中卖出的T恤赚的钱，我们只需要将阿肯色州比赛期间卖出的T恤数量乘以每件T恤的利润： 89件T恤 * 98美元/件 = 8722美元 所以，他们从阿肯色州比赛中卖出的T恤赚了8722美元。 ", 1),
    ("99", "首先，我们知道Haley的班上有11个喜欢玩弹珠的男孩。如果她给每个男孩9颗弹珠，我们可以通过以下步骤计算她总共有多少颗弹珠： 1. **确定给所有男孩的弹珠数量**：11个男孩 * 9颗弹珠/男孩 = 99颗弹珠 2. **结论**：Haley总共有99颗弹珠。 ", 1),
    ("92", "لإيجاد ناتج العملية الحسابية 79 * 2 - 66، سنقوم بالخطوات التالية: 1. أولاً، نقوم بضرب 79 في 2: 79 * 2 = 158 2. ثم نطرح 66 من النتيجة السابقة: 158 - 66 = 92 لذا، ناتج العملية الحسابية 79 * 2 - 66 هو **92**.", 1),
    ("66", "لإيجاد ناتج العملية الحسابية 55 * 3 - 99، سنقوم بالخطوات التالية: 1. أولاً، نقوم بضرب 55 في 3: 55 * 3 = 165 2. ثم نطرح 99 من النتيجة السابقة: 165 - 99 = 66 لذا، ناتج العملية الحسابية 55 * 3 - 99 هو **66**.", 1),
    ("25%", "Il y a 6 résultats possibles lorsque Jerry lance un dé à six faces : 1, 2, 3, 4, 5, 6. Pour trouver la probabilité d'obtenir un nombre supérieur à 3, nous comptons les résultats favorables : 4, 5, 6. Il y a donc 3 résultats favorables. La probabilité d'obtenir un nombre supérieur à 3 est donc de 3/6, soit 1/2. Pour trouver la probabilité de ne pas obtenir un nombre pair deux fois de suite, nous devons considérer les résultats qui ne sont pas des nombres pairs (impairs) : 1, 3, 5. Il y a 3 résultats impairs sur 6 résultats possibles. La probabilité d'obtenir un nombre impair au premier lancer est donc de 3/6, soit 1/2. Maintenant, pour qu'il n'y ait pas de nombre pair deux fois de suite, nous devons multiplier les probabilités de chaque lancer : (1/2) * (1/2) = 1/4 Cela signifie qu'il y a 1 chance sur 4 (25%) que Jerry n'obtienne pas un nombre pair deux fois de suite lorsqu'il lance le dé. En conclusion, la probabilité que Jerry obtienne un nombre supérieur à 3 plutôt qu'un nombre pair deux fois de suite est de **25%**.", 1),
    ("105", "réponse est (35 + 70 = 105).", 1),
    ("79", "donc 353 g - 79 g = 274 g. Donc, il a déjà 79 g de cire.", 1),
    ("220", "Réponse: Janeth aura encore 220 $ à payer d'ici 12 mois.", 1),
    ("70", "La réduction est de 100 * 0,30 = 30 $. Le coût final est donc de 100 - 30 = 70", 1),
    ("2/5", "} \\times \\frac{1}{3} = \\frac{6}{15} = \\frac{2}{5} ] 所以，每份应该是 (\\frac{2}{5}) 吨。 答案：每份应该是 (\\frac{2}{5}) 吨。", 1),
    ("4000", " 地块面积 = 72000 / 18 = 4000千克", 1),
    ("300", "来计算水池中水的流出时间：12000升/40升/分钟=300分钟。因此，水池中水将在300分钟内被放完。", 1),
    ("13/28", "计划的比例为13/28", 1),
    ("8/46", "\\frac{4}{23}", 1),
    ("$\\frac{9.5}{3.14159}$", "$\\frac{9.5}{3.14159} \\approx 3.01$", 1),
    ("1314", "ا��باقي: 4 ÷ 3 = 1 بباقي 1 نكتب 1 فوق الخط ونضع الباقي 1 تحت الرقم الرابع. 6. نجمع الأرقام فوق الخط: 438 7. نتحقق من النتيجة: 438 × 3 = 1314 لذا، فإن ناتج 1314 ÷ 3 هو 438. الباقي من القسمة هو 0، مما يعني أن 1314 قابل للقسمة على 3 تمامًا.", 1),
    ("67", " ा गणना**: दुकान में शुरूआत में 56 कमीजें थीं। 2. जोड़ने वाली संख्या गणना: बाद में 11 और कमीजें मिलीं। 3. कुल संख्या गणना: मूल संख्या और जोड़ी गई संख्या को जोड़ने पर दुकान में अब कितनी कमीजें हैं ज्ञात कर सकते हैं। इसलिए, गणना करें: [ 56 + 11 = 67 ] इसलिए, दुकान में अब 67 कमीजें हैं। ", 1),
    ("0", "So the os then when we 9/3 we get 8 so the answer is 0", 1),
    ("1", "so $x+y = 1000$ therefore answer is $1$", 1),
    ("1", "how many $? just about 1$", 1),
    # test_math_eval.py latex notation variants
    ("$9$", "Answer don't parse me \\[ 9 \\]", 1),
    ("$9$", "Answer don't parse me $ 9 $", 1),
    ("$9$", "Answer don't parse me $$ 9 $$", 1),
    ("$9$", "Answer don't parse me \\( 9 \\)", 1),
    ("$9$", "Answer don't parse me $ \n 9 \n $", 0),
    ("$9$", "Answer don't parse me \\( \n 9 \n \\)", 0),
    ("$9$", "Answer don't parse me \\[ \n 9 \n \\]", 1),
    ("$9$", "Answer don't parse me $$ \n 9 \n $$", 1),
    ("$10/9$", "Answer don't parse me $ \\frac{1}{2} \\$ = \\frac{10}{9} $", 1),
    ("$1/3$", "$\\frac{1}{3} \\text{x}$", 1),
    ("$1/3$", "$\\frac{1}{3} \\textbf{x}$", 1),
    ("$1/3$", "$\\k = \\frac{1}{3}$", 1),
    # test_math_eval.py asserts this one True while Math-Verify's test_all.py asserts it False
    (r"$(3,1)$", r"${1,3}$", 1),
    # test_math_numina_cases additions
    (r"$x_{1}=10^{\frac{-5+\sqrt{13}}{6}},\quadx_{2}=10^{\frac{-5-\sqrt{13}}{6}}$", r"$\boxed{10^{\frac{\sqrt{13} - 5}{6}}} \quad \text{and} \quad \boxed{10^{-\frac{5 + \sqrt{13}}{6}}}$", 1),
    (r"$y_{1}=-2 x^{2}+4 x+3, y_{2}=3 x^{2}+12 x+10$", r"\($y_1 = \boxed{-2(x - 1)^2 + 5} \) and \( y_2 = \boxed{3(x + 2)^2 - 2} \) ", 1),
    (r"$x_{1}=\frac{1}{2}+\frac{31\sqrt{5}}{216},\quadx_{2}=\frac{1}{2}-\frac{31\sqrt{5}}{216}$", r"$\boxed{\dfrac{108 + 31\sqrt{5}}{216}} \quad \text{and} \quad \boxed{\dfrac{108 - 31\sqrt{5}}{216}}$", 1),
    (r"\boxed{1} and and and or thus but \boxed{2} and \boxed{3}", r"$\boxed{2,3}$", 1),
    (r"\boxed{1} and and and or thus but \boxed{2} and \boxed{3}", r"$\boxed{1,2,3}$", 0),
]


SOURCES = {
    "mv_all": MV_ALL + MV_ALL2,
    "mv_numina": MV_NUMINA,
    "mv_openthoughts": MV_OPEN_THOUGHTS,
    "mv_yujianll": MV_YUJIANLL,
    "mv_mixed": MV_MIXED,
    "mv_failed_span": MV_FAILED_SPAN,
    "mv_misc": MV_STRICT_STRING,
    "hendrycks": HENDRYCKS,
    "mario": MARIO,
    "qwen": QWEN,
    "lighteval": LIGHTEVAL,
}

# (source, gold, prediction, expected)
CASES: list[tuple[str, str, str, bool]] = [
    (src, gold, pred, bool(exp)) for src, rows in SOURCES.items() for gold, pred, exp in rows
]


def _mathverify(gold: str, pred: str) -> bool:
    from math_verify import parse, verify

    try:
        return bool(verify(parse(gold), parse(pred)))
    except Exception:  # noqa: BLE001
        return False


def _ours(gold: str, pred: str) -> bool:
    from verifiers.math import math_equal

    return bool(math_equal(gold, pred))


def _score(fn) -> tuple[dict, list[int]]:
    per = defaultdict(lambda: [0, 0, 0])  # n, correct, false positives
    wrong = []
    for i, (src, gold, pred, expected) in enumerate(CASES):
        got = fn(gold, pred)
        row = per[src]
        row[0] += 1
        row[1] += got == expected
        row[2] += got and not expected
        if got != expected:
            wrong.append(i)
    return per, wrong


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    logging.disable(logging.WARNING)  # math-verify logs every timeout
    ours, ours_wrong = _score(_ours)
    mv, mv_wrong = _score(_mathverify)
    n = len(CASES)
    print(f"{'source':16} {'n':>4} {'ours':>6} {'ours_fp':>7} {'mv':>6} {'mv_fp':>5}", file=sys.stderr)
    for src in SOURCES:
        o, m = ours[src], mv[src]
        print(f"{src:16} {o[0]:4d} {o[1] / o[0]:6.3f} {o[2]:7d} {m[1] / m[0]:6.3f} {m[2]:5d}", file=sys.stderr)
    if "--fails" in argv:
        for i in ours_wrong:
            src, g, p, e = CASES[i]
            print(f"[{i}] {src} expected={e} mv={'ok' if i not in mv_wrong else 'wrong'} gold={g[:100]!r} "
                  f"pred={p[-160:]!r}", file=sys.stderr)
    out = {
        "n": n,
        "ours_accuracy": round(sum(r[1] for r in ours.values()) / n, 4),
        "mathverify_accuracy": round(sum(r[1] for r in mv.values()) / n, 4),
        "ours_false_positives": sum(r[2] for r in ours.values()),
        "mathverify_false_positives": sum(r[2] for r in mv.values()),
        "expected_false": sum(not c[3] for c in CASES),
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
