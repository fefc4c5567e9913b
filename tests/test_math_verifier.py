"""The "math" verifier: extraction, equivalence by category, multiple choice, safety."""
from __future__ import annotations

import os
import random
import string
import sys
import threading
import time
from pathlib import Path

import pytest

from verifiers import Verdict, get_verifier
from verifiers.math import extract_answer, math_equal, math_verifier

T, F = True, False


def check(gold, pred):
    return math_equal(gold, pred)


# ------------------------------------------------------------------------------ registry/API
def test_registered_and_verdict_details():
    fn = get_verifier("math")
    assert fn is math_verifier
    v = fn({"task": "math", "answer": "\\frac{1}{2}"}, "so the answer is $\\boxed{0.5}$.")
    assert isinstance(v, Verdict) and v.score == 1.0
    assert v.details == {"extracted": "0.5", "gold": "\\frac{1}{2}", "path": "fast"}
    v = fn({"answer": "3"}, "The answer is 4.")
    assert v.score == 0.0 and v.details["extracted"] == "4"


def test_not_applicable_without_answer():
    assert math_verifier({"task": "math"}, "\\boxed{1}") is None
    assert math_verifier({"answer": None}, "\\boxed{1}") is None


def test_gold_types_and_lists():
    assert math_verifier({"answer": 42}, "\\boxed{42}").score == 1.0
    assert math_verifier({"answer": 0.5}, "\\boxed{\\frac12}").score == 1.0
    assert math_verifier({"answer": 3.0}, "\\boxed{3}").score == 1.0
    assert math_verifier({"answer": ["7", "seven"]}, "\\boxed{7}").score == 1.0
    assert math_verifier({"answer": ["8", "9"]}, "\\boxed{7}").score == 0.0
    assert math_verifier({"answer": "5"}, None).score == 0.0
    assert math_verifier({"answer": "5"}, "").score == 0.0


@pytest.mark.parametrize(
    "gold,pred,expected",
    [
        ("12", "12", "fast"),
        ("x^2-1", "(x-1)(x+1)", "symbolic"),
        ("\\text{Evelyn}", "\\boxed{\\text{Evelyn}}", "string"),
        ("B", "The answer is (B).", "choice"),
    ],
)
def test_paths(gold, pred, expected):
    assert math_verifier({"answer": gold}, pred).details["path"] == expected


# ------------------------------------------------------------------------------- extraction
@pytest.mark.parametrize(
    "text,expected",
    [
        ("so the result is \\boxed{42}.", "42"),
        ("first \\boxed{3}, then corrected: \\boxed{4}", "4"),
        ("\\boxed{\\frac{\\sqrt{3}}{2}}", "\\frac{\\sqrt{3}}{2}"),
        ("nested \\boxed{\\left\\{1, 2\\right\\}}", "\\left\\{1, 2\\right\\}"),
        ("\\fbox{7}", "7"),
        ("\\boxed 7.", "7"),
        ("The roots are \\boxed{2} and \\boxed{-3}.", "2, -3"),
        ("We get \\boxed{1} at first. But re-checking, the answer is \\boxed{2}.", "2"),
        ("Final Answer: The final answer is $28 \\%$. I hope it is correct.", "28\\%"),
        ("The answer is 17.", "17"),
        ("After all that, the answer is: $(1, 2)$", "(1, 2)"),
        ("Answer: 3/4", "3/4"),
        ("Final Answer: The largest $n$ is 34.", "34"),
        ("\\boxed{200} ... Final Answer: The final answer is $10,455$.", "10455"),
        ("#### 72", "72"),
        ("There are 5 red and 7 blue balls, 12 in total.", "12"),
        ("la réponse est 9.", "9"),
        ("Die Antwort ist 9.", "9"),
        ("答案是 9", "9"),
        ("所以一共有3 + 10 = 13只鸟。", "13"),
        ("x^2 + 2x + 1", "x^2 + 2x + 1"),
        ("It costs $\\$5.50$ in total.", "5.50"),
        ("no numbers here at all", None),
        ("", None),
    ],
)
def test_extract_answer(text, expected):
    assert extract_answer(text) == expected


# ------------------------------------------------------------------------- equivalence cases
NUMBERS = [
    ("42", "42", T), ("42", "43", F), ("-3", "-3", T), ("-3", "3", F), ("3", "03", T),
    ("0.5", ".5", T), ("0.5", "0.50", T), ("0.5", "0.05", F), ("1000", "1,000", T), ("1000", "1 000", T),
    ("1000", "1000.0", T), ("1234567", "1,234,567", T), ("1234567", "123,456", F),
    ("1234.5", "1,234.5", T), ("3,75", "3.75", T), ("0,111", "0.111", T), ("2.74", "Soucis : 2,74 $ a..", T),
    ("5", "\\$5", T), ("5", "$\\$5$", T), ("5", "5 dollars", T), ("5", "5 cm", T), ("5", "5\\text{ cm}", T),
    ("5", "5 \\text{cm}^2", T), ("5", "5\\mbox{ inches}", T), ("5", "50 cm", F), ("60", "60^\\circ", T),
    ("60", "60^{\\circ}", T), ("60", "60°", T), ("60", "60 degrees", T), ("60", "6", F), ("10", "10 square units", T),
    ("10", "10weeks", T), ("2", "AZYUK2A", F), ("1e3", "1000", T), ("64", "2^6", T), ("64", "2^5", F),
    ("6", "\\sqrt{36}", T), ("12", "Answer \\( (10+2) \\)", T), ("7", "seven", T), ("7", "seventy", F),
    ("25", "twenty-five", T), ("1000000", "10^6", T), ("11", "11^\\text{th}", T), ("21", "the 21st term", T),
    ("3", "\\boxed{\\text{3 days}}", T), ("1500", "1.5 \\times 10^{3}", T),
]
FRACTIONS = [
    ("\\frac{1}{2}", "0.5", T), ("\\frac{1}{2}", "1/2", T), ("\\frac{1}{2}", "\\dfrac{1}{2}", T),
    ("\\frac{1}{2}", "\\tfrac12", T), ("\\frac{1}{2}", "\\frac{2}{4}", T), ("\\frac{1}{2}", "\\frac{1}{3}", F),
    ("\\frac12", "2", F), ("-\\frac{3}{5}", "-0.6", T), ("-\\frac{3}{5}", "\\frac{-3}{5}", T),
    ("-\\frac{3}{5}", "\\frac{3}{5}", F), ("10/9", "\\frac{10}{9}", T), ("\\frac{8}{46}", "\\frac{4}{23}", T),
    ("7/3", "2 1/3", T), ("7/3", "2\\frac{1}{3}", T), ("3.5", "3\\frac12", T), ("3", "3 1/2", F),
    ("40/9", "The answer is 4 4/9.", T), ("4", "The answer is 4 4/9.", F),
    ("1/3", "0.3333", T), ("1/3", "0.33", F), ("\\frac{1}{12}", "0.0833333333333333", T), ("22/7", "3.14", F),
    ("10000", "10001", F), ("1", "0.999", F), ("\\frac{1}{2^{99}}", "\\frac{1}{2^{98}}", F),
    ("0.\\overline{3}", "1/3", T), ("1.\\overline{27}", "\\frac{14}{11}", T), ("0.1\\overline{6}", "1/7", F),
    ("1/6", "the answer is 1 / 6", T), ("2.314814814815 \\times 10^{-3}", "\\frac{1}{432}", T),
]
PERCENT = [
    ("50\\%", "50", T), ("50\\%", "50%", T), ("50\\%", "0.5", T), ("50\\%", "\\frac{1}{2}", T),
    ("50%", "50 percent", T), ("50%", "5", F), ("50%", "0.05", F), ("0.5", "50%", T), ("0.5", "50", F),
    ("\\frac{3}{4}", "75\\%", T), ("$28\\%$", "28 pct", T), ("$28\\%$", "$\\boxed{28\\%}$", T),
    ("$0.28$", "28", F), ("$28$", "28/100", F), ("10\\%", "0.1", T), ("20", "20\\%", T),
]
LATEX = [
    ("$7$", "Answer \\[ 7 \\]", T), ("$7$", "Answer $$ 7 $$", T), ("$7$", "Answer $ \n 7 \n $", F),
    ("$\\sqrt{5}$", "$\\sqrt5 $", T), ("$\\sqrt{5}$", "$\\sqrt6 $", F), ("$1/4$", "$\\left( \\frac{1}{4} \\right)$", T),
    ("$1/4$", "$\\frac{1}{4} \\text{meters}$", T), ("$1/4$", "$m = \\frac{1}{4}$", T), ("$2$", "$2^{10}.$", F),
    ("\\left(x-2\\right)\\left(x+2\\right)", "(x-2)(x+2)", T), ("\\tfrac{1}{2} +\\! \\frac1{72}", "\\\\dfrac{1}{2} +\\frac{1}{72}", T),
    ("$3\\sqrt{13}$", "$\\sqrt{117}$", T), ("$4$", "$4\\sqrt{2}$", F), ("$204_5$", "so it is $\\boxed{204_5}$", T),
    ("$\\text{Evelyn}$", "Therefore, $\\boxed{\\text{Evelyn}}$ is our answer.", T), ("\\text{odd}", "odd", T),
    ("\\text{odd}", "\\text{even}", F), ("$12:00$", "$1:00$", F), ("20:34", "08:34 \\text{P.M.}", T),
]
EXPRESSIONS = [
    ("x^2+2x+1", "(x+1)^2", T), ("x^2+2x+1", "(x-1)^2", F), ("\\frac{x+2}{7}", "\\frac{x}{7}+\\frac{2}{7}", T),
    ("\\tan^2(y)+1", "\\sec^2(y)", T), ("x+2n+1", "x+1", F), ("2\\sin b \\cos a", "2 \\sin a \\cos b", F),
    ("1+2i", "i(2-i)", T), ("1+2i", "2+i", F), ("\\frac{\\pi r}{h+r}", "\\frac{\\pi r}{h-r}", F),
    ("40\\pi", "125.663", T), ("40\\pi", "125", F), ("\\frac{\\sqrt{3}}{2}", "0.8660254", T),
    ("\\sqrt{2}/2", "\\cos(\\pi/4)", T), ("0.5", "\\sin(30^\\circ)", T), ("\\frac{5\\sqrt{42}}{27}", "\\frac{10\\sqrt{10.5}}{27}", T),
]
SETS = [
    ("$[0,1)$", "$[0,1)$", T), ("$[0,9)$", "$[0,1)$", F), ("$(0,9)$", "$[0,9)$", F), ("[-3,2]", "(-3,2)", F),
    ("$(-\\infty, 3]$", "$(-\\infty,3]$", T), ("$[1, \\infty)$", "$x \\in [1, \\infty)$", T),
    ("$(\\frac{3}{5},\\frac{8}{3}]$", "(0.6,2.6667]", T), ("$(2,12) \\cup (12,102)$", "$x \\in \\boxed{(2, 12) \\cup (12, 102)}$", T),
    ("$\\{1,2,3\\}$", "$\\{3,2,1\\}$", T), ("$\\{1,2,3\\}$", "$\\{1,2\\}$", F), ("1, 2, 3", "1, 3, 2", T),
    ("-2,1", "The roots are \\boxed{-2} and \\boxed{1}.", T), ("-2,1", "The roots are \\boxed{-2} and \\boxed{2}.", F),
    ("7, -2, \\text{ and } -5", "-5,-2,7", T), ("$(6,31,-1)$", "so $(p,q,r) = \\boxed{(6,31,-1)}$", T),
    ("$(6,31,-1)$", "so $(p,q,r) = \\boxed{(6,-31,1)}$", F), ("$(1,3)$", "${1,3}$", T), ("$(3,1)$", "${1,3}$", F),
    ("\\frac13, \\sqrt3, \\pi", "1/3, 1.732, 3.1416", T), ("$\\pm 2$", "$2$", F), ("$\\pm 2$", "${-2, 2}$", T),
    ("$(5,2),(2,5)$", "$\\boxed{(2, 5), (5, 2)}$", T), ("$(5,2),(2,5)$", "$\\boxed{(2, 5), (5, 3)}$", F),
    ("$(a,b)=(4,1)$", "$(4,1)$", T), ("$1, 2, 3$", "$1, 2, 3, ...$", F),
]
EQUATIONS = [
    ("x=2", "2", T), ("2", "x=2", T), ("x=2", "x=3", F), ("$k=1$", "$1$", T), ("$2x + z = 1$", "$1$", F),
    ("$x >= 5$", "Therefore $x \\geq 5$ is the solution.", T), ("$x > 5$", "Therefore $x < 5$.", F),
    ("$x \\leq 5$", "$5 \\geq x$", T), ("$x < 1$", "$-x > -1$", T), ("$x = 11$", "$x = 5+5+1 = 7 =11$", T),
    ("$2x+4y-3=0$", "$y=-\\frac{1}{2}x+\\frac{3}{4}$", T), ("5x - 7y + 11z + 4 = 0", "x + y - z + 2 = 0", F),
    ("f(x) = 2x + 3", "2x + 3", T), ("f(x) = 2x + 3", "y = 2x + 3", T), ("y=2", "x=2", F),
    ("105", "réponse est (35 + 70 = 105).", T), ("$11$", "$x\\approx11$", T),
    ("\\{1, 3\\}", "x = 1 or x = 3", T), ("3", "x = 3 or x = -3", F), ("2\\sqrt{3}", "2 sqrt(3)", T),
]
MATRICES = [
    ("\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}", "$\\begin{bmatrix}1 & 2 \\\\ 3 & 4\\end{bmatrix}$", T),
    ("\\begin{pmatrix}1 & 2 \\\\ 3 & 4\\end{pmatrix}", "$\\begin{pmatrix}1 & 2 \\\\ 3 & 5\\end{pmatrix}$", F),
    ("\\begin{pmatrix} 1 & 1/2 \\\\ 1/3 & 4 \\end{pmatrix}", "\\begin{pmatrix} 1 & 0.5 \\\\ 1/3 & 4 \\end{pmatrix}", T),
]
CHOICE = [
    ("C", "thinking about it I think the correct answer is C", T), ("D", "The answer is for sure D, it can't be A or B", T),
    ("B", "Let's think step by step. It's not A because it doesn't make sense, therefore I think it's B", T),
    ("D", "D. it can't be A or B", T), ("(D) Alina", "D", T), ("(A) Cecile", "C", F), ("C Cecile", "C", T),
    ("Alina and the answer is\n(C) Cecile", "C", T), ("B", "(B)", T), ("B", "B.", T), ("B", "\\boxed{B}", T),
    ("B", "\\boxed{\\text{(B)}}", T), ("B", "\\boxed{C}", F), ("B", "Answer: A", F), ("A", "I think the answer is B", F),
    ("\\text{(C)}", "$\\boxed{\\text{(C)}}.$", T), ("D", "none of these", F), ("C", "réponse est C non A", T),
    ("B", "B。不是 A", T), ("B", "B不是 A", T), ("B", "答案是 C", F), ("D", "Die Antwort ist D.", T),
    ("B", "[B]", T), ("B", "Answer: (B) 12", T), ("B", "**Answer:** C", F), ("D", "Option (D) is correct.", T),
    ("E", "The answer is $\\boxed{\\textbf{(E)}\\ 24}$", T), ("$\\textbf{(E)}\\ 24$", "The answer is 24", T),
    ("(C) 12", "\\boxed{12}", T), ("(C) 12", "\\boxed{13}", F), ("(C) 12", "The answer is D", F),
    ("B", "答え: B", T), ("B", "정답: B", T), ("B", "Đáp án là B", T),
]
MULTILINGUAL = [
    ("858", "因此，弗兰克一共有**858颗**糖果。", T), ("300", "12000升/40升/分钟=300分钟。因此，水池将在300分钟内被放完。", T),
    ("13/28", "计划的比例为13/28", T), ("2/5", "答案：每份应该是 (\\frac{2}{5}) 吨。", T), ("2/5", "答案：每份应该是 (\\frac{3}{5}) 吨。", F),
    ("92", "لذا، ناتج العملية الحسابية هو **92**.", T), ("67", "इसलिए, दुकान में अब 67 कमीजें हैं। ", T),
    ("220", "Réponse: Janeth aura encore 220 $ à payer d'ici 12 mois.", T), ("42", "La respuesta es 42.", T),
    ("42", "Ответ: 24", F), ("25%", "la probabilité est de **25%**.", T),
]
LONG = [
    ("$2/3$", "P(A) = 2/3. Therefore, the probability that Alice wins the game is 2/3. <|im_start|>user", T),
    ("$[0,1)$", "the domain is $(0, 1)$. Final Answer: The final answer is $(0, 1)$. I hope it is correct.", F),
    ("$16386.20$", "worth $\\boxed{\\$16,\\!386.20}$. The answer is $16,\\!386.20$.", T),
    ("$120$", "Final Answer: The volume of $ABCDEFGH$ is 120. I hope it is correct.", T),
    ("$14916$", "Thus it is $14{,}940$. Final Answer: The final answer is $14{,}916$. I hope it is correct.", T),
    ("$14916$", "Thus it is $14{,}916$. Final Answer: The final answer is $14{,}940$. I hope it is correct.", F),
    ("32349", "is $\\boxed{32,\\! 349}$", T), ("32349", "is $\\boxed{32, 349}$", F),
    ("Solving, $x=1/5$, or $\\boxed{20}$ percent.", "the fraction is $\\frac{1}{5}=\\boxed{20 \\%}$.", T),
    ("$12\\text{ and }13$", "between $\\boxed{12 $ and $13 }$. Final Answer: The final answer is \"$12 $ and $13 $\".", T),
    ("18", "She sold 48/2 = 24 in May and 48+24 = 72 in total.\n#### 72", F),
]


@pytest.mark.parametrize("gold,pred,expected", NUMBERS)
def test_numbers(gold, pred, expected):
    assert check(gold, pred) is expected


@pytest.mark.parametrize("gold,pred,expected", FRACTIONS)
def test_fractions_and_decimals(gold, pred, expected):
    assert check(gold, pred) is expected


@pytest.mark.parametrize("gold,pred,expected", PERCENT)
def test_percentages(gold, pred, expected):
    assert check(gold, pred) is expected


@pytest.mark.parametrize("gold,pred,expected", LATEX)
def test_latex_notation(gold, pred, expected):
    assert check(gold, pred) is expected


@pytest.mark.parametrize("gold,pred,expected", EXPRESSIONS)
def test_expressions(gold, pred, expected):
    assert check(gold, pred) is expected


@pytest.mark.parametrize("gold,pred,expected", SETS)
def test_intervals_sets_tuples(gold, pred, expected):
    assert check(gold, pred) is expected


@pytest.mark.parametrize("gold,pred,expected", EQUATIONS)
def test_equations_and_relations(gold, pred, expected):
    assert check(gold, pred) is expected


@pytest.mark.parametrize("gold,pred,expected", MATRICES)
def test_matrices(gold, pred, expected):
    assert check(gold, pred) is expected


@pytest.mark.parametrize("gold,pred,expected", CHOICE)
def test_multiple_choice(gold, pred, expected):
    assert check(gold, pred) is expected


@pytest.mark.parametrize("gold,pred,expected", MULTILINGUAL)
def test_multilingual(gold, pred, expected):
    assert check(gold, pred) is expected


@pytest.mark.parametrize("gold,pred,expected", LONG)
def test_long_outputs(gold, pred, expected):
    assert check(gold, pred) is expected


# Failure classes found with the independent audit set (benchmarks/math_audit_cases.py).
AUDIT_REGRESSIONS = [
    # a row separator before \end ("...\\\\\end{pmatrix}") is not a doubly escaped command
    ("(\\begin{pmatrix}-\\frac{7}{4}&-2\\\\4&\\frac{1}{4}\\\\\\end{pmatrix})",
     "\\begin{pmatrix}-\\frac{7}{4}&-2\\\\4&\\frac{1}{4}\\end{pmatrix}", T),
    ("(\\begin{pmatrix}-\\frac{7}{4}&-2\\\\4&\\frac{1}{4}\\\\\\end{pmatrix})",
     "\\begin{pmatrix}-\\frac{7}{4}&-2\\\\4&\\frac{1}{3}\\end{pmatrix}", F),
    ("\\\\frac{1}{2}", "0.5", T),
    # a line break does not make a mixed number; a percent on a mixed number scales the whole value
    ("71/6", "11\n5/6", F), ("71/6", "11 5/6", T), ("5/6", "11\n5/6", T),
    ("40/9", "4 4/9%", F), ("40/900", "4 4/9%", T), ("40/9", "4 4/9 percent", F), ("1/3", "33\\frac{1}{3}\\%", T),
    ("20", "20%", T), ("0.2", "20%", T),
    # boxes: separate displays are not joined; "\text{ ... and }" and "y_2 =" between boxes join
    ("143", "$$\\boxed{20}$$ \\boxed{143}", T), ("20, 143", "$$\\boxed{20}$$ \\boxed{143}", F),
    ("1, 2", "$$\\boxed{1}, \\boxed{2}$$", T),
    ("(3, 3), (1, 1)", "$$\\boxed{(3, 3)} \\text{ for part (a) and } \\boxed{(1, 1)}$$", T),
    ("y_{1}=-2 x^{2}+4 x+3, y_{2}=3 x^{2}+12 x+10",
     "\\($y_1 = \\boxed{-2(x - 1)^2 + 5} \\) and \\( y_2 = \\boxed{3(x + 2)^2 - 2} \\) ", T),
    # a short unit glued to the number is not a unit ("space is a must for short units")
    ("10cm", "10", F), ("10m", "10", F), ("10", "10m", F), ("10 cm", "10", T), ("10weeks", "10", T),
    # a one-column/row matrix equals the same vector written with () or []
    ("\\begin{matrix} \\frac12 \\\\ 1 \\end{matrix}", "[0.5, 1]", T),
    ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "(1, 2)", T),
    ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "[2, 1]", F),
    # a decimal may be off by at most one unit of its last digit (truncation), within relative 1e-4
    ("\\frac{20001}{2}", "10000.0", F), ("\\frac{20001}{2}", "10000.5", T), ("40\\pi", "125.663", T),
    ("2/3", "0.6667", T), ("\\frac{100000}{3}", "33333.3", T), ("\\frac{100000}{3}", "33333", F),
]
AUDIT_CHOICE = [
    ("Alina and the answer is\nC Cecile", "C", T), ("Alina and the answer is\nC Cecile", "B", F),
    ("B", "Because B is valid", T), ("C", "Because B is valid", F), ("A", "A good reason is B", F),
    ("B", "A good reason is B", T), ("B", "Either B or C fits", F),
]


@pytest.mark.parametrize("gold,pred,expected", AUDIT_REGRESSIONS + AUDIT_CHOICE)
def test_audit_regressions(gold, pred, expected):
    assert check(gold, pred) is expected


def test_works_outside_the_main_thread():
    out = {}

    def run():
        out["sym"] = math_equal("x^2-1", "(x-1)(x+1)")
        out["neg"] = math_equal("x^2-1", "(x-1)^2")
        out["fast"] = math_equal("1/2", "0.5")

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    assert out == {"sym": True, "neg": False, "fast": True}


def test_harness_cases():
    """The local accuracy harness (benchmarks/math_cases.py): no false positives, >= 0.95."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from benchmarks.math_cases import CASES

    wrong = [(g, p, e) for g, p, e in CASES if math_equal(g, p) is not e]
    assert not [w for w in wrong if not w[2]], "false positives"
    assert 1 - len(wrong) / len(CASES) >= 0.95, wrong


def test_audit_cases():
    """The independent audit set (benchmarks/math_audit_cases.py, public graders' own cases): >= 0.95,
    and false positives only the two MATH is_equiv order cases (which math-verify and MARIO accept)."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from benchmarks.math_audit_cases import CASES

    wrong = [(s, g, p, e) for s, g, p, e in CASES if math_equal(g, p) is not e]
    assert len([w for w in wrong if not w[3]]) <= 2, [w for w in wrong if not w[3]]
    assert 1 - len(wrong) / len(CASES) >= 0.95, wrong


# -------------------------------------------------------------------------------- safety
ADVERSARIAL = {
    "code_boxed": "\\boxed{__import__('os').system('touch /tmp/pwned')}",
    "code_answer": "The answer is __import__('os').system('touch /tmp/pwned')",
    "code_latex": "$__import__('os').system('touch /tmp/pwned')$",
    "code_eval": "\\boxed{eval(\"__import__('os').system('touch /tmp/pwned')\")}",
    "power_python": "9**9**9**9",
    "power_python_boxed": "\\boxed{9**9**9**9}",
    "power_tower": "\\boxed{10^{10^{10}}}",
    "power_tower_chain": "The answer is $9^9^9^9$",
    "power_tower_deep": "$2^{2^{2^{2^{2^{2}}}}}$",
    "huge_exponent": "\\boxed{2^{99999999}}",
    "huge_exponent_e": "\\boxed{1e99999999}",
    "factorial": "\\boxed{1000000!}",
    "factorial_plain": "1000000!",
    "factorial_of_power": "\\boxed{(10^{6})!}",
    "factorial_nested": "\\boxed{((3!)!)!}",
    "huge_sum": "\\boxed{\\sum_{k=1}^{100000000} k}",
    "huge_binom": "\\boxed{\\binom{100000000}{50000000}}",
    "long_digits": "1" * 100_000,
    "long_text": "x+" * 50_000 + "1",
    "long_boxed": "\\boxed{" + "1+" * 50_000 + "1}",
    "nested_braces": "{" * 10_000 + "1" + "}" * 10_000,
    "nested_parens": "(" * 10_000 + "1" + ")" * 10_000,
    "nested_boxed": "\\boxed{" + "(" * 10_000 + "1" + ")" * 10_000 + "}",
    "nested_fracs": "\\boxed{" + "\\frac{1}{" * 30 + "2" + "}" * 30 + "}",
    "nul_bytes": "\x00" * 1000 + "\\boxed{1\x00}" + "\x00" * 1000,
    "unbalanced_open": "\\boxed{{{{{{1",
    "unbalanced_close": "}}}}}\\boxed{1}}}}}{{{{",
    "many_boxes": "\\boxed{" * 20_000,
    "many_dollars": "$" * 50_000,
    "many_display": "\\[" * 30_000,
    "many_anchors": "the answer is " * 5_000,
}


@pytest.fixture(scope="module")
def warm():
    math_equal("x^2", "x^2")  # imports math-verify/sympy once, outside the timed calls


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_inputs_score_zero_quickly(warm, name):
    assert threading.current_thread() is threading.main_thread()
    payload = ADVERSARIAL[name]
    for gold in ("42", "\\frac{1}{2}", "x^2+1"):
        t0 = time.perf_counter()
        verdict = math_verifier({"answer": gold}, payload)
        elapsed = time.perf_counter() - t0
        assert verdict.score == 0.0, (name, gold, verdict.details)
        assert elapsed < 2.0, (name, gold, elapsed)


def test_junk_around_the_gold_value_scores_zero(warm):
    for name in ("nested_braces", "nested_parens", "nested_boxed", "long_digits", "long_text", "long_boxed"):
        assert math_verifier({"answer": "1"}, ADVERSARIAL[name]).score == 0.0, name
    assert math_verifier({"answer": "1"}, " " * 100_000 + "1").score == 0.0  # over-long: must mark its answer


def test_long_response_with_a_marked_answer(warm):
    reasoning = "We try another case and compute 3 + 4 = 7. " * 3000  # ~130k chars
    t0 = time.perf_counter()
    assert math_verifier({"answer": "7"}, reasoning + "So the answer is \\boxed{7}.").score == 1.0
    assert math_verifier({"answer": "8"}, reasoning + "Final answer: 7").score == 0.0
    assert time.perf_counter() - t0 < 2.0


def test_code_payload_is_never_executed(warm):
    # A path without digits: pytest's tmp_path ("pytest-0/...exe0") holds numbers that a grader may
    # rightly read as the response's answer, which made this test depend on the machine.
    target = Path("/tmp") / ("vlrl_pwned_" + "".join(random.choice(string.ascii_lowercase) for _ in range(12)))
    payloads = [
        f"\\boxed{{__import__('os').system('touch {target}')}}",
        f"The answer is $__import__('os').system('touch {target}')$",
        f"Answer: __import__('os').system('touch {target}')",
        f"\\boxed{{exec(\"open('{target}','w')\")}}",
    ]
    for payload in payloads:
        for gold in ("0", "x", "\\frac{1}{2}"):
            assert math_verifier({"answer": gold}, payload).score == 0.0
    assert not target.exists()
    assert not os.path.exists("/tmp/pwned")
