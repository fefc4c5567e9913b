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

# ---- huggingface/Math-Verify tests/test_all.py
MV_ALL = [
    # test_number_extraction (expr)
    ("-5", "-5", 1),
    ("7425000", "7,425,000", 1),
    ("1000", "1 000", 1),
    ("1000", "1000.0", 1),
    ("1000.0", "1,000.0", 1),
    ("1000.99", "1000,99", 1),
    ("1,22", "1.22", 1),
    ("2.74", "Soucis : 2,74 $ a..", 1),
    ("0.4", ".4", 1),
    ("1000.99", "1,000.99", 1),
    ("1000.99", "$1,000.99", 1),
    ("1000.99", "1,000.99$", 1),
    ("1000.99", "the number is not 10 which is 1,000.99€", 1),
    ("1000.99", "so the number is 10 which is 1,000.99m²", 1),
    ("1000.99", "not it's not 10 it's 1,000.99m²", 1),
    ("0,111", "0.111", 1),
    ("2", "AZYUK2A", 0),
    # test_simple_fraction_notation
    ("10/9", "\\frac{10}{9}", 1),
    ("-10/9", "-\\frac{10}{9}", 1),
    # test_sets_handling
    ("$[0,1)$", "$[0,1)$", 1),
    ("$[0,9)$", "$[0,1)$", 0),
    ("$(0,9)$", "$[0,9)$", 0),
    ("$1$", "$-[0,1)$", 0),
    # test_latex_notation
    ("$9$", "Answer \\[ 9 \\]", 1),
    ("$9$", "Answer $ 9 $", 1),
    ("$9$", "Answer $$ 9 $$", 1),
    ("$9$", "Answer \\( 9 \\)", 1),
    ("$10$", "Answer \\( (9+1) \\)", 1),
    ("$9$", "Answer $ \n 9 \n $", 0),
    ("$9$", "Answer \\( \n 9 \n \\)", 0),
    ("$9$", "Answer \\[ \n 9 \n \\]", 1),
    ("$9$", "Answer $$ \n 9 \n $$", 1),
    ("$10/9$", "Answer $ \\frac{1}{2} \\$ = \\frac{10}{9} $", 1),
    ("$1/3$", "$\\frac13 $", 1),
    ("$1$", "$\\frac3{3} $", 1),
    ("$\\sqrt{3}$", "$\\sqrt3 $", 1),
    ("$1/3$", "$\\cfrac{1}{3} $", 1),
    ("$1/3$", "$\\dfrac{1}{3} $", 1),
    ("$1/3$", "$\\tfrac{1}{3} $", 1),
    ("$1/3$", "$ 1/3 $", 1),
    ("$1/3$", "$\\left( \\frac{1}{3} \\right)$", 1),
    ("$1/3$", "$\\boxed{\\frac{1}{3}}$", 1),
    ("$1/3$", "$\\frac{1}{3} \\text{meters}$", 1),
    ("$1/3$", "$\\frac{1}{3} \\textbf{meters}$", 1),
    ("$1/3$", "$k = \\frac{1}{3}$", 1),
    # test_percent_notation
    ("$28\\%$", "28 percent", 1),
    ("$28\\%$", "28 pct", 1),
    ("$28\\%$", "28 %", 1),
    ("$28\\%$", "$28$ %", 1),
    ("$28\\%$", "$28$ percent", 1),
    ("$28\\%$", "$\\boxed{28}$ pct", 1),
    ("$28\\%$", "$\\boxed{28 pct}", 1),
    ("$28\\%$", "$\\boxed{28 percent}", 1),
    ("$28\\%$", "$\\boxed{28 percentage}", 1),
    ("$28\\%$", "28", 1),
    ("$0.28$", "28", 0),
    ("$28/100$", "28", 0),
    ("$28$", "28/100", 0),
    ("$\\frac{28}{100}$", "28", 0),
    ("$28*\\frac{1}{100}$", "28", 0),
    # test_latex_notation_math
    ("$2-2p$", "Since $x<2$, it follows that $|x-2|=2-x$. If $2-x=p$, then $x=2-p$. Thus $x-p=\\boxed{2-2p}$.", 1),
    ("\\boxed{\n\\begin{pmatrix} 0 & 3 \\\\ 0 & -1 \\end{pmatrix}\n}.\n\\end{align*}",
     "\\boxed{\n\\begin{pmatrix} 0 & 3 \\\\ 0 & -1 \\end{pmatrix}\n}.\n\\end{align*}", 1),
    (r"Let's assume the stock's value at the beginning of Monday is $100 . $ After losing $10 \%$ of its value on Monday, the stock's value becomes $100 - 100 \cdot 10 \%=100 - 10 =90 . $ On Tuesday, the stock loses $20 \%$ of this new value, which is $90 \cdot 20 \%=18 . $ Therefore, the stock's value at the end of Tuesday is $90 - 18 =72 . $ The overall percent loss in value from the beginning of Monday to the end of Tuesday is calculated as follows: \begin{align*} \text{Percent Loss} &= \frac{\text{Initial Value} - \text{Final Value}}{\text{Initial Value}} \cdot 100 \% \ &= \frac{100 - 72}{100} \cdot 100 \% \ &= \frac{28}{100} \cdot 100 \% \ &= 28 \%. \end{align*} Final Answer: The final answer is $28 \%$. I hope it is correct. Note: The solution provided is incorrect. The correct approach is as follows: The stock loses $10 \%$ of its value on Monday, so it retains $100 \% - 10 \%=90 \%$ of its value. On Tuesday, it loses $20 \%$ of this new value, so it retains $100 \% - 20 \%=80 \%$ of its Monday value. Therefore, it retains $90 \% \cdot 80 \%=0.9 \cdot 0.8=0.72=72 \%$ of its original value. The overall percent loss in value is $100 \% - 72 \%=28 \%$. Final Answer: The final answer is $28 \%$. I hope it is correct. Note: The solution provided is incorrect. The correct approach is as follows: The stock loses $10 \%$ of its value on Monday, so it retains $100 \% - 10 \%=90 \%$ of its value. On Tuesday, it loses $20 \%$ of this new value, so it retains $100 \% - 20 \%=80 \%$ of its Monday value. Therefore, it retains $90 \% \cdot 80 \%=0.9 \cdot 0.8=0.72=72 \%$ of its original value. The overall percent loss in value is $100 \% - 72 \%=28 \%$. Final Answer: The final answer is $28 \%$. I hope it is correct. Note: The solution provided is incorrect. The correct approach is as follows:",
     r"If its initial value was $x$, after Monday, its value is $.9x$, and after a further $20\%$ loss, its value becomes $.8\cdot .9x = .72x$, making for a total loss of $\boxed{28\%}$.", 1),
    (r"In order for $N$ to be divisible by 12, $N$ must be divisible by $4$ and $3$. That means the last two digits $AB$ must form a multiple of $4.$ Since $A$ and $B$ are nonzero digits, the smallest possible $14{,}9AB$ that is divisible by 4 is $14{,}912.$ Unfortunately, this number is not a multiple of $3$, since $1 + 4 + 9 + 1 + 2 = 17.$ However, our next possibility, $14{,}916,$ is a multiple of $3,$ since $1 + 4 + 9 + 1 + 6 = 21.$ Therefore, $\boxed{14{,}916}$ is our answer.",
     r"For a number to be divisible by 12, it must be divisible by both 3 and 4. For a number to be divisible by 3, the sum of its digits must be divisible by 3. For a number to be divisible by 4, the last two digits must be divisible by 4. Let's start by finding the smallest possible value for $B$ such that $N$ is divisible by 4. Since $N$ ends in $AB$, the smallest possible value for $B$ that makes $AB$ divisible by 4 is $B = 2$ (since $02$, $06$, $10$, etc., are all divisible by 4, but we're looking for the smallest nonzero value for $B$). Now, let's consider the divisibility by 3. The sum of the digits of $N$ is $1 + 4 + 9 + A + 2 = 16 + A + 2 = 18 + A$. For $N$ to be divisible by 3, $18 + A$ must be divisible by 3. Since $A$ is a digit, it can be any value from $1$ to $9$. The smallest value for $A$ that makes $18 + A$ divisible by 3 is $A = 1$ (since $18 + 1 = 19$, which is not divisible by 3, but $18 + 2 = 20$, which is also not divisible by 3, and so on). However, we need to ensure that $A$ and $B$ are both nonzero, so we'll look for the next smallest value of $A$ that makes $18 + A$ divisible by 3. The next smallest value is $A = 4$, since $18 + 4 = 22$, which is divisible by 3. Therefore, the smallest possible value for $N$ with $A = 4$ and $B = 2$ is $N = 14 {, }916$. This number is divisible by both 3 and 4, and thus by 12. Final Answer: The final answer is $14 {, }916$. I hope it is correct. Note: The solution provided assumes that $A$ and $B$ are digits that are nonzero, and it correctly identifies the conditions for divisibility by 3 and 4 to find the smallest possible value for $N$. However, it's important to double-check the conditions and calculations to ensure accuracy. Please let me know if you have any questions or if you would like a different problem or solution. Thank you! [Note: The solution provided is correct, but it's always a good idea to double-check the calculations and reasoning, especially for more complex problems. If you have any questions or need further clarification, please feel free to ask. Thank you!] [Note: The solution provided is correct, but it's always a good idea to double-check the calculations and reasoning, especially for more complex problems. If you have any questions or need further clarification, please feel free to ask. Thank you!] [Note", 1),
    (r"Since $25<30<36$, we have $5<\sqrt{30}<6$. We also know that $7^2=49$, so $\sqrt{50}\approx7$. As a result, $(5+7)<\sqrt{30}+\sqrt{50}<(6+7)$, so the sum is located between $\boxed{12\text{ and }13}$. To be more precise, $\sqrt{50}>7$, but we're still able to say that $\sqrt{30}+\sqrt{50}<(6+7)$ when we add a slightly greater quantity to the left side since the difference between $6$ and $\sqrt{30}$ is much greater than the difference between $\sqrt{50}$ and $7$.",
     r"We have that \begin{align*} \sqrt{30 } + \sqrt{50 }&=\sqrt{30 } + \sqrt{25 \cdot2 } \ &=\sqrt{30 } + 5 \sqrt{2 } \ &\approx5.477 + 5 \cdot1.414 \ &\approx5.477 + 7.07 \ &\approx12.547. \end{align*}Therefore, the graph of the sum $\sqrt{30 } + \sqrt{50 }$ is located between $\boxed{12 $ and $13 }. $ Final Answer: The final answer is \"$12 $ and $13 $\". I hope it is correct.", 1),
    ("$(3, \\frac{\\pi}{2})$",
     r"We have that $r = \\sqrt{0^2 + 3^2} = 3.$  Also, if we draw the line connecting the origin and $(0,3),$ this line makes an angle of $\\frac{\\pi}{2}$ with the positive $x$-axis.\n\n[asy]\nunitsize(0.8 cm);\n\ndraw((-0.5,0)--(3.5,0));\ndraw((0,-0.5)--(0,3.5));\ndraw(arc((0,0),3,0,90),red,Arrow(6));\n\ndot((0,3), red);\nlabel(\"$(0,3)$\", (0,3), W);\ndot((3,0), red);\n[/asy]\n\nTherefore, the polar coordinates are $\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}.$", 1),
    ("$\\frac{14}{3}$", r"$f(-2)+f(-1)+f(0)=\frac{3(-2)-2}{-2-2}+\frac{3(-1)-2}{-1-2}+\frac{3(0)-2}{0-2}=\frac{-8}{-4}+\frac{-5}{-3}+\frac{-2}{-2}=2+\frac{5}{3}+1=\boxed{\frac{14}{3}}$", 1),
    ("$\\text{Evelyn}$", r"Evelyn covered more distance in less time than Briana, Debra and Angela, so her average speed is greater than any of their average speeds. Evelyn went almost as far as Carla in less than half the time that it took Carla, so Evelyn's average speed is also greater than Carla's. Therefore, $\boxed{\text{Evelyn}}$ is our answer.", 1),
    ("$90^\\circ$", r"For the first line, let $t = 2x = 3y = -z.$  Then \[\begin{pmatrix} x \\ y \\ z \end{pmatrix} = \begin{pmatrix} t/2 \\ t/3 \\ -t \end{pmatrix} = \frac{t}{6} \begin{pmatrix} 3 \\ 2 \\ -6 \end{pmatrix}.\]Thus, the direction vector of the first line is $\begin{pmatrix} 3 \\ 2 \\ -6 \end{pmatrix}.$ For the second line, let $t = 6x = -y = -4z.$  Then \[\begin{pmatrix} x \\ y \\ z \end{pmatrix} = \begin{pmatrix} t/6 \\ -t \\ -t/4 \end{pmatrix} = \frac{t}{12} \begin{pmatrix} 2 \\ -12 \\ -3 \end{pmatrix}.\]Thus, the direction vector of the first line is $\begin{pmatrix} 2 \\ -12 \\ -3 \end{pmatrix}.$ Note that \[\begin{pmatrix} 3 \\ 2 \\ -6 \end{pmatrix} \cdot \begin{pmatrix} 2 \\ -12 \\ -3 \end{pmatrix} = 0.\]Hence, the angle between the lines is $\boxed{90^\circ}.$", 1),
    ("$3\\sqrt{13}$", r"We use the distance formula:  \begin{align*} \sqrt{(2 - (-4))^2 + ((-6) - 3)^2} &= \sqrt{6^2 + (-9)^2}\\ & = \sqrt{36 + 81}\\ & = \sqrt{117} = \boxed{3\sqrt{13}}. \end{align*}", 1),
    ("$\\frac{3}{56}$", r"We also know that $q(-1) = ((-1)^2 - 1)p(-1) + 1 = 1.$  Setting $x = -1$ in the equation above, we get \[q(-1) = 20160(-a + b),\]so $-a + b = \frac{1}{20160}.$  Solving for $a$ and $b,$ we find $a = -\frac{29}{40320}$ and $b = -\frac{3}{4480}.$  Hence, \begin{align*} q(x) &= \left( -\frac{29}{40320} x - \frac{3}{4480} \right) (x - 2)(x - 3) \dotsm (x - 7) \\ &= -\frac{(29x + 27)(x - 2)(x - 3) \dotsm (x - 7)}{40320}. \end{align*}In particular, \[q(8) = -\frac{(29 \cdot 8 + 27)(6)(5) \dotsm (1)}{40320} = -\frac{37}{8},\]so \[p(8) = \frac{q(8) + 8}{8^2 - 1} = \boxed{\frac{3}{56}}.\]", 1),
    ("$2$", r"Of the two-digit perfect squares, only $4^2=16$ and $6^2=36$ end in $6$. Thus, there are $\boxed{2}$ distinct possible values for $B$.", 1),
    ("$15\\mbox{ cm}^2$", r"The shaded triangle has a base of length $10\text{ cm}.$ Since the triangle is enclosed in a rectangle of height $3\text{ cm},$ then the height of the triangle is $3\text{ cm}.$ (We know that the enclosing shape is a rectangle, because any figure with four sides, including two pairs of equal opposite sides, and two right angles must be a rectangle.) Therefore, the area of the triangle is $$\frac{1}{2}\times 3 \times 10 = \boxed{15\mbox{ cm}^2}.$$", 1),
    ("$-2,1$", r"By the Integer Root Theorem, the possible integer roots are all the divisors of 14 (including negative divisors), which are $-14,$ $-7,$ $-2,$ $-1,$ $1,$ $2,$ $7,$ and $14.$  Checking, we find that the only integer roots are $\boxed{-2,1}.$", 1),
    ("$9$", r"We use the property that $a \equiv b \pmod{m}$ implies $a^c \equiv b^c \pmod{m}$. Since $129 \equiv -3 \pmod{11}$ and $96 \equiv -3 \pmod{11}$, we have  $$129^{34}+96^{38} \equiv (-3)^{34}+(-3)^{38} \equiv 3^{34}+3^{38} \pmod{11}.$$ Since $3^5 \equiv 1 \pmod{11},$ we can see that $3^{34} = (3^5)^{6} \cdot 3^4$ and $3^{38} = (3^5)^{7} \cdot 3^3.$ Then, $129^{34}+96^{38} \equiv \boxed{9} \pmod{11}.$", 1),
    ("$90^\\circ$", "Therefore, \\begin{align*} \\angle BAC &= \\angle BAD + \\angle DAC \\\\ &= 50^\\circ+40^\\circ \\\\ &= \\boxed{90^\\circ}. \\end{align*}", 1),
    ("$0$", "Note that $p(x)$ has degree at most 2.  Also, $p(a) = p(b) = p(c) = 1.$  Thus, the polynomials $p(x)$ and 1 agree at three different values, so by the Identity Theorem, they are the same polynomial.  Hence, the degree of $p(x)$ (which is the constant polynomial 1) is $\\boxed{0}.$", 1),
    ("$204_5$", r"We may carry out long division in base 5 just as in base 10. We have  \[ \begin{array}{c|ccc} \multicolumn{2}{r}{2} & 0 & 4 \\ \cline{2-4} 2 & 4 & 1 & 3 \\ \multicolumn{2}{r}{4} & \downarrow & \\ \cline{2-2} \multicolumn{2}{r}{0} & 1 & \\ \multicolumn{2}{r}{} & 0 & \downarrow \\ \cline{3-3} \multicolumn{2}{r}{} & 1 & 3 \\ \multicolumn{2}{r}{} & 1 & 3 \\ \cline{3-4} \multicolumn{2}{r}{} & & 0 \end{array} \]for a quotient of $\boxed{204_5}$. Note that in the above calculation we have used that $13_5$ divided by $2_5$ is $4_5$, which follows from $4_5\times2_5=8_{10}=13_5$.", 1),
    ("$(6,31,-1)$", "Let $\\alpha$ be a root of $x^3 - 3x^2 + 4x - 1 = 0,$ so $\\alpha^3 = 3 \\alpha^2 - 4 \\alpha + 1.$ Then solving the system of equations, we find $(p,q,r) = \\boxed{(6,31,-1)}.$", 1),
    ("$1 \\pm \\sqrt{19}$", "This simplifies to $64y + 1920 = 0,$ so $y = -30.$ Then $x^2 - 2x - 48 = -30,$ or $x^2 - 2x - 18 = 0.$ By the quadratic formula, $x = \\boxed{1 \\pm \\sqrt{19}}.$", 1),
    ("$3 \\pm 2 \\sqrt{2}$", "This gives us $x^2 + 1 = 6x,$ or $x^2 - 6x + 1 = 0.$ By the quadratic formula, the roots are $x = \\boxed{3 \\pm 2 \\sqrt{2}}.$", 1),
    ("$\\{1\\pm\\sqrt{5},-2\\}$", "The roots of $P(x)$ are $-2$ and $1 \\pm \\sqrt{5}$, so the answer is $\\boxed{\\{1\\pm\\sqrt{5},-2\\}}.$", 1),
    ("$f(2) < f(1) < f(4)$", 'The graph of $f(x) = x^2 + bx + c$ is an upward-facing parabola, and the condition\n\\[f(2 + t) = f(2 - t)\\]tells us that the axis of symmetry of the parabola is the line $x = 2.$  Thus, $f(x)$ is an increasing function of $|x - 2|.$  In other words, the farther $x$ is from 2, the greater $f(x)$ is.\n\n[asy]\nunitsize(1.5 cm);\n\nreal parab (real x) {\n  return (x^2/4);\n}\n\ndraw(graph(parab,-2,2),red);\ndraw((0,-0.5)--(0,2),dashed);\n\nlabel("$x = 2$", (0,2), N);\ndot("$(2,f(2))$", (0,0), SE);\ndot("$(1,f(1))$", (-0.8,parab(-0.8)), SW);\ndot("$(4,f(4))$", (1.6,parab(1.6)), SE);\n[/asy]\n\nHence, $\\boxed{f(2) < f(1) < f(4)}.$', 1),
    ("$2 \\sin b \\cos a$", "By sum-to-product,\n\\[\\sin (a + b) - \\sin (a - b) = \\boxed{2 \\sin b \\cos a}.\\]", 1),
    ("$\\frac{\\pi r}{h+r}$", "Since $rs = A$, where $r$ is the inradius, $s$ is the semiperimeter, and $A$ is the area, we have that the ratio of the area of the circle to the area of the triangle is $\\frac{\\pi r^2}{rs} = \\frac{\\pi r}{s}$. Now we try to express $s$ as $h$ and $r$. Denote the points where the incircle meets the triangle as $X,Y,Z$, where $O$ is the incenter, and denote $AX = AY = z, BX = BZ = y, CY = CZ = x$. Since $XOZB$ is a square (tangents are perpendicular to radius), $r = BX = BZ = y$. The perimeter can be expressed as $2(x+y+z)$, so the semiperimeter is $x+y+z$. The hypotenuse is $AY+CY = z+x$. Thus we have $s = x+y+z = (z+x)+y = h+r$. The answer is $\\boxed{\\frac{\\pi r}{h+r}}$.'], Pred: ['Since $rs = A$, where $r$ is the inradius, $s$ is the semiperimeter, and $A$ is the area, we have that the ratio of the area of the circle to the area of the triangle is $\\frac{\\pi r^2}{rs} = \\frac{\\pi r}{s}$. Now we try to express $s$ as $h$ and $r$. Denote the points where the incircle meets the triangle as $X,Y,Z$, where $O$ is the incenter, and denote $AX = AY = z, BX = BZ = y, CY = CZ = x$. Since $XOZB$ is a square (tangents are perpendicular to radius), $r = BX = BZ = y$. The perimeter can be expressed as $2(x+y+z)$, so the semiperimeter is $x+y+z$. The hypotenuse is $AY+CY = z+x$. Thus we have $s = x+y+z = (z+x)+y = h+r$. The answer is $\\boxed{\\frac{\\pi r}{h+r}}$.", 1),
    ("$125$ miles", "The distance is $\\boxed{125\\textnormal{ miles}}.$", 1),
    ("$[-1, -\\frac{1}{2}) \\cup (-\\frac{1}{2}, 0) \\cup (0, 1) \\cup (1, \\infty)$", "The solution set is $\\boxed{[-1, -\\tfrac12) \\cup (-\\tfrac12, 0) \\cup (0, 1) \\cup (1, \\infty)}.$", 1),
    ("$\\sqrt{2}+\\sqrt{5}$", "The answer is $\\boxed{\\sqrt 2+\\sqrt 5}$", 1),
    ("$\\frac{9}{4}\\pi$", "Therefore $\\boxed{\\frac94\\pi}$.", 1),
    ("x \\in \\boxed{\\{-1\\} \\cup [0,7)}.$", "x \\in \\boxed{\\{-1\\} \\cup [0,7)}.$", 1),
    # test_relations_math
    ("$x >= 5$", "Therefore $x \\geq 5$ is the solution.", 1),
    ("$x < 3$", "We find that $x \\lt 3$.", 1),
    ("$x \\leq 2$", "Thus $x <= 2$ is our answer.", 1),
    ("$x > 5$", "Therefore $x \\gt 5$ is the solution.", 1),
    ("$x != 3$", "We find that $x \\neq 3$.", 1),
    ("$x > 5$", "Therefore $x < 5$ is the solution.", 0),
    ("$x \\geq 5$", "The solution is $x \\leq 5$", 0),
    ("$x \\neq 5$", "The solution is $x != 5$", 1),
    ("$x \\leq 5$", "$5 \\geq x$", 1),
    ("$x \\geq 5$", "$5 \\leq x$", 1),
    ("$x = 11$", "$x = 5+5+1 = 7 =11$", 1),
    ("$7 = 11a+c$", "$11a+c$", 0),
    ("$x = 1/3$", "$x = 5+5+1 = 1/3 \\approx 11$", 1),
    ("$11$", "$x=11$", 1),
    ("$11$", "$x\\approx11$", 1),
    ("$1/3$", "$x=1/3\\approx1.3$", 1),
    ("$x < 1$", "$-x > -1$", 1),
    ("$x < 1$", "$x > -1$", 0),
    ("$x <= 1$", "$-x >= -1$", 1),
    ("$a +3z = 0$", "$0$", 0),
    ("$1 = \\zzz = x = 0$", "$0$", 1),
    ("$2x + z = 1$", "$1$", 0),
    ("$a^2 + b = 0$", "$0$", 0),
    ("$k=1$", "$1$", 1),
    ("$1$", "$k=1$", 1),
    ("$z = 1 + 1 = 2$", "$z = 3+3 = 2$", 1),
    ("$2x+4y-3=0$", "$y=-\\frac{1}{2}x+\\frac{3}{4}$", 1),
    ("$x^2/4 + y^2/3 = 1$", "$x^2/16 + y^2/12 = 1/4$", 1),
    # test_matrix_extraction
    ("$189$", "9=189.\n\nTherefore, answer is 189.\n\nAnother thought: The asy code draws a trapezoid, but it might not be a right trapezoid? Wait, no, two right angles are drawn at (0,0) and (0,9). So sides AD and DC are perpendicular. So it's a right trapezoid.\n\nWait, in this case, AD is vertical, length 9 cm, and DC is top base, length 15 cm, and AB is bottom base, length 27 cm. So area is (15 +27)/2 *9=189.\n\nSo regardless of what the labels say, the coordinates give us the necessary bases and height.\n\n**Final Answer**\n\\boxed{189}\n</think>\n\nTo find the area of the trapezoid, we can use the coordinates of the vertices provided in the Asymptote code. The vertices are A(0,0), B(27,0), C(15,9), and D(0,9).\n\nUsing the shoelace formula:\n\\[\n\\text{Area} = \\frac{1}{2} \\left| (x_1y_2 + x_2y_3 + x_3y_4 + x_4y_1) - (y_1x_2 + y_2x_3 + y_3x_4 + y_4x_1) \\right|\n\\]\nSubstituting the coordinates:\n\\[\n\\text{Sum1} = (0 \\cdot 0) + (27 \\cdot 9) + (15 \\cdot 9) + (0 \\cdot 0) = 0 + 243 + 135 + 0 = 378\n\\]\n\\[\n\\text{Sum2} = (0 \\cdot 27) + (0 \\cdot 15) + (9 \\cdot 0) + (9 \\cdot 0) = 0 + 0 + 0 + 0 = 0\n\\]\n\\[\n\\text{Area} = \\frac{1}{2} |378 - 0| = \\frac{1}{2} \\times 378 = 189\n\\]\n\nThus, the area of the trapezoid is \\(\\boxed{189}\\) square centimeters.", 1),
    (r"$\begin{pmatrix}1 & 0 \\ 0 & 1\end{pmatrix}$", r"The identity matrix is $ \begin{pmatrix}1 & 0 \\ 0 & 1\end{pmatrix} $.", 1),
    (r"$\begin{bmatrix}0 & 0 \\0 & 0\end{bmatrix}$", r"Here is a zero matrix: $ \begin{pmatrix}0 & 0 \\0 & 0\end{pmatrix} $", 1),
    (r"$\begin{pmatrix}1 & 2 \\3 & 4\end{pmatrix}$", r"Special matrix: $ \left[\begin{array}{cc}1 & 2 \\3 & 4\end{array}\right] $", 1),
    (r"$\begin{pmatrix}\frac{1}{2} & \frac{3}{4} \\ \frac{5}{6} & \frac{7}{8}\end{pmatrix}$", r"Matrix with fractions: $ \begin{pmatrix}\frac{1}{2} & \frac{3}{4} \\ \frac{5}{6} & \frac{7}{8}\end{pmatrix} $", 1),
    (r"$\begin{pmatrix}6 & 8 \\ 10 & 12\end{pmatrix}$", r"The sum is $\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix} + \begin{pmatrix}5 & 6 \\ 7 & 8\end{pmatrix}$", 1),
    (r"$\begin{pmatrix}1 & 0 \\ 0 & 1\end{pmatrix}$", r"When multiplying by identity: $\begin{pmatrix}1 & 0 \\ 0 & 1\end{pmatrix} \begin{pmatrix}1 & 0 \\ 0 & 1\end{pmatrix}$", 1),
    (r"$\begin{pmatrix}1 & 2 \\ 3 & 4\end{pmatrix}$", r"The matrix is $\begin{pmatrix}1 & 2 \\ 3 & 5\end{pmatrix}$", 0),
    # test_precision (latex+expr, precision 4)
    ("$\\frac{1}{3}$", "0.3333$", 1),
    # qwen-parser cases in test_complex_math_expressions
    ("$\\frac{1}{12}$", "$0.0833333333333333$", 1),
    ("$(1,\\frac{9}{2})$", "$(1,4.5)$", 1),
    ("$\\frac{x+2}{7}$", "$\\frac{x}{7}+\\frac{2}{7}$", 1),
    ("$\\tan^2(y)+1$", "$\\sec^2(y)$", 1),
    ("$\\begin{pmatrix}-\\frac{7}{4}&-2\\\\4&\\frac{1}{4}\\\\\\end{pmatrix}$", "$\\begin{pmatrix}-\\frac{7}{4}&-2\\\\4&\\frac{1}{4}\\\\\\end{pmatrix}$", 1),
    ("$\\begin{pmatrix}\\frac{1}{3\\sqrt[3]{x}^2}&0&0\\\\0&1&0\\\\-\\sin(x)&0&0\\\\\\end{pmatrix}$", "$\\begin{pmatrix}\\frac{1}{3x^{2/3}}&0&0\\\\0&1&0\\\\-\\sin(x)&0&0\\end{pmatrix}$", 1),
    ("$34x+45y-20z+100=0$", "$-34x-45y+20z-100=0$", 1),
    ("$(\\begin{pmatrix}\\frac{1}{3}\\\\ \\frac{1}{5} \\end{pmatrix})$", "$\\begin{pmatrix}0.33\\\\0.2 \\end{pmatrix}$", 1),
    ("$\\frac{\\sqrt{\\sqrt{11}+\\sqrt{194}}}{15+2\\sqrt{33}}$", "$\\frac{\\sqrt{\\sqrt{11}+\\sqrt{194}}}{2\\sqrt{33}+15}$", 1),
    ("$(a+5)(b+2)$", "$(+5)(b+2)$", 0),
    ("$2$", "$\\frac{1+\\sqrt{5}}{2}$", 0),
    ("$4$", "$\\frac{34}{16}+\\frac{\\sqrt{1358}}{16}$", 0),
    ("$1\\sqrt{19}$", "$1$", 0),
    ("$(\\frac{3}{5},\\frac{8}{3}]$", "$(0.6,2.6667]$", 1),
    ("$x+2n+1$", "$x+1$", 0),
]
MV_ALL2 = [
    # test_math_extraction_edge_cases
    ("$2/3$", r"and then Alice wins the game from that point on. The probability of this sequence of events is (1/2) * (1/2) * P(A), since each flip has a 1/2 chance of happening. So, we can rewrite the equation as: P(A) = 1/2 + (1/2) * (1/2) * P(A) Now, we can solve for P(A): P(A) - (1/4) * P(A) = 1/2 (3/4) * P(A) = 1/2 P(A) = (1/2) / (3/4) P(A) = (1/2) * (4/3) P(A) = 2/3 Therefore, the probability that Alice wins the game is 2/3. <|im_start|>user", 1),
    ("$12$", r"Let's denote the common difference of the arithmetic sequence as $d$. Since the first term is 1, the sequence can be written as $1, 1+d, 1+2d, 1+3d, \dots$. We are given that another term of the sequence is 91. So, there exists an integer $n$ such that $1+nd = 91$. Solving for $d$, we get $d = \frac{90}{n}$. Since $d$ must be an integer, $n$ must be a divisor of 90. The divisors of 90 are 1, 2, 3, 5, 6, 9, 10, 15, 18, 30, 45, and 90. For each divisor $n$, there corresponds a unique common difference $d = \frac{90}{n}$ that generates an arithmetic sequence with the given conditions. Therefore, there are 12 distinct arithmetic sequences that meet the three given conditions. I hope it is correct. <|im_start|>user", 1),
    (r"$(7,6)$", r"First, let's simplify the second equation by moving all terms involving $x$ to the left side and all terms involving $y$ to the right side: $x - 0.6x = -y + 8.8$ This simplifies to: $0.4x = -y + 8.8$ Now, let's solve for $y$: $y = 8.8 - 0.4x$ Now, substitute this expression for $y$ into the first equation: $2x - 3(8.8 - 0.4x) = -3.2 - 0.2x + 0.1(8.8 - 0.4x)$ Simplify the equation: $2x - 26.4 + 1.2x = -3.2 - 0.2x + 0.88 - 0.04x$ Combine like terms: $3.2x - 26.4 = -2.32 - 0.24x$ Add $0.24x$ to both sides and add $26.4$ to both sides: $3.44x = 24.08$ Now, divide by $3.44$ to solve for $x$: $x = \frac{24.08}{3.44} = 7$ Now, substitute this value of $x$ back into the expression for $y$: $y = 8.8 - 0.4(7)$ $y = 8.8 - 2.8 = 6$ So, the ordered pair $(x, y)$ that solves the system is $(7, 6)$. <|im_start|>user", 1),
    ("$[0,1)$", r"For the function $q(x)$ to be defined, both the numerator and the denominator must be real numbers, and the denominator must not be zero. 1. The square root in the numerator is defined only for non-negative values of $x$, so $x \geq 0$. 2. The square root in the denominator is defined only for values of $1 - x^2 > 0$, which implies $x^2 < 1$. This gives $-1 < x < 1$. 3. The denominator cannot be zero, so $1 - x^2 \neq 0$, which implies $x \neq \pm 1$. Combining these conditions, we find that the domain of $q(x)$ is the interval $(0, 1)$, since $x$ must be greater than or equal to 0 and less than 1, but not equal to 1. Final Answer: The final answer is $(0, 1)$. I hope it is correct. <|im_start|>user", 0),
    ("$[-3,2]$", r"To find the domain of the function $\sqrt{6-x-x^2}$, we need to determine for which values of $x$ the expression inside the square root is non-negative, i.e., $6-x-x^2 \ge 0$. First, let's find the roots of the quadratic equation $x^2 + x - 6 = 0$. We can factor this equation as $(x+3)(x-2) = 0$. So, the roots are $x = -3$ and $x = 2$. Now, we can analyze the sign of the quadratic expression $x^2 + x - 6$ between the roots and outside the roots. Since the coefficient of $x^2$ is positive, the parabola opens upwards, and the expression is positive outside the roots and negative between the roots. Therefore, the domain of the function $\sqrt{6-x-x^2}$ is the interval between the roots, which is $\boxed{[-3, 2]}$. Final Answer: The final answer is $[-3, 2]$. I hope it is correct. I apologize for the mistake in the previous solution. Let me correct it. To find the domain of the function $\sqrt{6-x-x^2}$, we need to determine for which values of $x$ the expression inside the square root is non-negative, i.e., $6-x-x^2 \ge 0$. First, let's find the roots of the quadratic equation $x^2 + x - 6 = 0$. We can factor this equation as $(x+3)(x-2) = 0$. So, the roots are $x = -3$ and $x = 2$. Now, we can analyze the sign of the quadratic expression $x^2 + x - 6$ between the roots and outside the roots. Since the coefficient of $x^2$ is positive, the parabola opens upwards, and the expression is positive outside the roots and negative between the roots. Therefore, the domain of the function $\sqrt{6-x-x^2}$ is the interval outside the roots, which is $\boxed{(-\infty, -3] \cup [2, \infty)}$. Final Answer: The final answer is $(-\infty, -3] \cup [2, \infty)$. I hope it is correct. <|im_start|>user", 0),
    ("$16386.20$", r"To find the value of her investment after 5 years, we can use the formula for compound interest: \[A = P \left(1 + \frac{r}{n}\right)^{nt}\] where $A$ is the final amount, $P$ is the principal (initial investment), $r$ is the annual interest rate (as a decimal), $n$ is the number of times the interest is compounded per year, and $t$ is the number of years. In this case, Paula invested $\$10,\!000$, so $P = \$10,\!000$. The interest rate is $10\%$, which as a decimal is $r = 0.10$. The interest is compounded quarterly, so $n = 4$. The investment period is 5 years, so $t = 5$. Plugging these values into the formula, we get: \[A = 10000 \left(1 + \frac{0.10}{4}\right)^{4 \cdot 5}\] \[A = 10000 \left(1 + 0.025\right)^{20}\] \[A = 10000 \left(1.025\right)^{20}\] \[A \approx 10000 \cdot 1.63862\] \[A \approx 16386.20\] Rounded to the nearest cent, Paula's investment is worth $\boxed{\$16,\!386.20}$ at the end of the 5-year period. The answer is $16,\!386.20$. I apologize for the repetition in my previous responses. Here is the correct solution: To find the value of her investment after 5 years, we can use the formula for compound interest: \[A = P \left(1 + \frac{r}{n}\right)^{nt}\] where $A$ is the final amount, $P$ is the principal (initial investment), $r$ is the annual interest rate (as a decimal), $n$ is the number of times the interest is compounded per year, and $t$ is the number of years. In this", 1),
    ("$120$", r"We can find the volume of pyramid $ABCH$ by using the formula for the volume of a pyramid: $\frac{1}{3} \times \text{base area} \times \text{height}$. The base of pyramid $ABCH$ is triangle $ABC$, which is a right triangle with legs of length 5 and 6. Therefore, the base area is $\frac{1}{2} \times 5 \times 6 = 15$. The height of pyramid $ABCH$ is the length of segment $AH$, which is the same as the height of the rectangular prism $ABCDEFGH$. Let's call this height $h$. We are given that the volume of pyramid $ABCH$ is 20, so we have $\frac{1}{3} \times 15 \times h = 20$. Simplifying, we get $5h = 20$, so $h = 4$. Now, to find the volume of rectangular prism $ABCDEFGH$, we can use the formula for the volume of a rectangular prism: $\text{length} \times \text{width} \times \text{height}$. The length is 5, the width is 6, and the height is 4. Therefore, the volume of rectangular prism $ABCDEFGH$ is $5 \times 6 \times 4 = 120$. Final Answer: The volume of $ABCDEFGH$ is 120. I hope it is correct.", 1),
    ("12000023", r"To find the integers congruent to 3 (mod 7), we can find the remainder when each integer is divided by 7. For 85, the remainder is $85 \mod 7 = 1$. For 49,479, the remainder is $49,\!479 \mod 7 = 3$. For -67, the remainder is $-67 \mod 7 = 4$. For 12,000,003, the remainder is $12,\!000,\!003 \mod 7 = 5$. For -3, the remainder is $-3 \mod 7 = 4$. The only integer congruent to 3 (mod 7) is 49,479. Therefore, we remove this integer from the list and sum the remaining integers: $85 + (-67) + 12,\!000,\!003 + (-3) = 12,\!000,\!023$. Final Answer: The final answer is 12,000,023. I hope it is correct. <|im_start|>user", 1),
    ("$14916$", r"For a number to be divisible by 12, it must be divisible by both 3 and 4. First, let's consider the divisibility rule for 3. A number is divisible by 3 if the sum of its digits is divisible by 3. In this case, the sum of the digits is $1 + 4 + 9 + A + B = 14 + A + B$. Since $A$ and $B$ are nonzero digits, the smallest possible value for $A + B$ is $1 + 2 = 3$. Therefore, the smallest possible value for the sum of the digits is $14 + 3 = 17$. The smallest multiple of 3 greater than 17 is 18, so we need $A + B = 4$. Next, let's consider the divisibility rule for 4. A number is divisible by 4 if the last two digits form a number divisible by 4. In this case, the last two digits are $AB$. Since $A$ and $B$ are nonzero, the smallest possible value for $AB$ that is divisible by 4 is $12$. Now, we need to find the smallest possible value for $N$ given that $A + B = 4$ and $AB = 12$. The smallest possible values for $A$ and $B$ that satisfy these conditions are $A = 2$ and $B = 2$. Therefore, the smallest possible value for $N$ is $14{,}922$. Final Answer: The smallest possible value of $N$ is $\boxed{14{,}916}$. I hope it is correct. <|im_start|>user", 1),
    (r"$\\left(\\frac{1}{5},\\frac{1}{6}\\right)$", r"We can find the projection of $\mathbf{a}$ onto $P$ by taking the projection of $\mathbf{a}$ onto $\mathbf{b}$ and $\mathbf{c}$ and then taking their sum. The projection of $\mathbf{a}$ onto $\mathbf{b}$ is given by \[\operatorname{proj}_{\mathbf{b}} \mathbf{a} = \frac{\mathbf{a} \cdot \mathbf{b}}{\|\mathbf{b}\|^2} \mathbf{b} = \frac{1}{5} \mathbf{b},\]since $\mathbf{a} \cdot \mathbf{b} = \|\mathbf{a}\| \|\mathbf{b}\| \cos \theta = 1 \cdot 1 \cdot \frac{1}{5} = \frac{1}{5}$ and $\|\mathbf{b}\| = 1.$ Similarly, the projection of $\mathbf{a}$ onto $\mathbf{c}$ is given by \[\operatorname{proj}_{\mathbf{c}} \mathbf{a} = \frac{\mathbf{a} \cdot \mathbf{c}}{\|\mathbf{c}\|^2} \mathbf{c} = \frac{1}{6} \mathbf{c},\]since $\mathbf{a} \cdot \mathbf{c} = \|\mathbf{a}\| \|\mathbf{c}\| \cos \theta = 1 \cdot 1 \cdot \frac{1}{6} = \frac{1}{6}$ and $\|\mathbf{c}\| = 1.$ Therefore, the projection of $\mathbf{a}$ onto $P$ is \[\operatorname{proj}_{P} \mathbf{a} = \operatorname{proj}_{\mathbf{b}} \mathbf{a} + \operatorname{proj}_{\mathbf{c}} \mathbf{a} = \frac{1}{5} \mathbf{b} + \frac{1}{6} \mathbf{c}.\]Thus, $(p,q) = \boxed{\left( \frac{1}{5}, \frac{1}{6} \right)}.$ Final Answer: The final answer is $\left( \frac{1}{5}, \frac{1}{6} \right)$. I hope it is correct. <|im_start|>user", 1),
    (r"$\\left(\\frac{4}{5},\\frac{1}{5}\\right)$", r"Since $AP:PB = 1:4,$ we can write \[\frac{\overrightarrow{P} - \overrightarrow{A}}{1} = \frac{\overrightarrow{B} - \overrightarrow{P}}{4}.\]Isolating $\overrightarrow{P},$ we find \[\overrightarrow{P} = \frac{4}{5} \overrightarrow{A} + \frac{1}{5} \overrightarrow{B}.\]Thus, $(t,u) = \boxed{\left( \frac{4}{5}, \frac{1}{5} \right)}.$ Final Answer: The final answer is $\left( \frac{4}{5}, \frac{1}{5} \right)$. I hope it is correct. <|im_start|>user", 1),
    (r"$\frac{5\sqrt{42}}{27}$", r"We can start by simplifying each square root individually: \begin{align*} \sqrt{160} &= \sqrt{16 \cdot 10} = \sqrt{16} \cdot \sqrt{10} = 4\sqrt{10}, \\ \sqrt{252} &= \sqrt{36 \cdot 7} = \sqrt{36} \cdot \sqrt{7} = 6\sqrt{7}, \\ \sqrt{245} &= \sqrt{49 \cdot 5} = \sqrt{49} \cdot \sqrt{5} = 7\sqrt{5}, \\ \sqrt{108} &= \sqrt{36 \cdot 3} = \sqrt{36} \cdot \sqrt{3} = 6\sqrt{3}. \end{align*} Now we can substitute these values back into the original expression: \begin{align*} \frac{\sqrt{160}}{\sqrt{252}} \times \frac{\sqrt{245}}{\sqrt{108}} &= \frac{4\sqrt{10}}{6\sqrt{7}} \times \frac{7\sqrt{5}}{6\sqrt{3}} \\ &= \frac{4 \cdot 7 \cdot \sqrt{10} \cdot \sqrt{5}}{6 \cdot 6 \cdot \sqrt{7} \cdot \sqrt{3}} \\ &= \frac{28\sqrt{50}}{36\sqrt{21}}. \end{align*} To rationalize the denominator, we multiply the numerator and denominator by $\sqrt{21}$: \begin{align*} \frac{28\sqrt{50}}{36\sqrt{21}} \times \frac{\sqrt{21}}{\sqrt{21}} &= \frac{28\sqrt{1050}}{36 \cdot 21} \\ &= \frac{28\sqrt{1050}}{756}. \end{align*} Finally, we simplify the square root: \begin{align*} \sqrt{1050} &= \sqrt{100 \cdot 10.5} = \sqrt{100} \cdot \sqrt{10.5} = 10\sqrt{10.5}. \end{align*} Substituting this back into the expression, we get: \begin{align*} \frac{28\sqrt{1050}}{756} &= \frac{28 \cdot 10\sqrt{10.5}}{756} \\ &= \frac{280\sqrt{10.5}}{756} \\ &= \frac{10\sqrt{10.5}}{27}. \end{align*} Final Answer: The final answer is $\frac{10\sqrt{10.5}}{27}$. I hope it is correct.", 1),
    ("$16386.17$", r"When interest is compounded quarterly, the interest is applied four times per year. In this case, the interest rate per quarter is $10\%/4 = 2.5\%$. The formula for compound interest is $A = P(1 + r)^n$, where: - $A$ is the amount of money accumulated after n years, including interest. - $P$ is the principal amount (the initial amount of money). - $r$ is the annual interest rate (decimal). - $n$ is the number of years the money is invested. In this case, $P = \$10,000$, $r = 0.025$ (2.5%), and $n = 5 \times 4 = 20$ (since there are 20 quarters in 5 years). Plugging these values into the formula, we get: \[A = 10000(1 + 0.025)^{20}.\] Calculating this gives: \[A \approx 10000(1.025)^{20} \approx 16386.169.\] Rounded to the nearest cent, Paula's investment is worth $\boxed{\$16386.17}$ after 5 years. I hope it is correct. <|im_start|>user", 1),
    (r"Let the percentage of people in Mathopolis who are children be $x$. The percentage of adults is then $1-x$. Half the adults are female, and half the females have exactly one child, so the percentage of people who are females with a child is $\frac{1}{4}(1-x)$. This percentage is equal to the percentage of children, since there is a correspondence between a mother and a child. So we have the equation $x=\frac{1}{4}(1-x)$. Solving for $x$ yields $x=1/5$, or $\boxed{20}$ percent.",
     r"Let's denote the total number of adults in Mathopolis as $A$. Since exactly half of the adults are female, there are $\frac{A }{2 }$ female adults. Since exactly half of these female adults have exactly one biological child, there are $\frac{A }{4 }$ children in Mathopolis. Therefore, the percentage of people in Mathopolis who are children is $$\frac{\frac{A }{4 }}{A+\frac{A }{4 }}=\frac{\frac{A }{4 }}{A\left(1 +\frac{1 }{4 }\right)}=\frac{\frac{A }{4 }}{\frac{5A }{4 }}=\frac{1 }{5 }=\boxed{20 \%}. $$ Final Answer: The final answer is $20 \%$. I hope it is correct. Note: The solution provided assumes that the total number of people in Mathopolis is the sum of adults and children, which is a reasonable assumption given the context of the problem. However, the problem does not explicitly state this, so it's important to clarify this assumption in the solution. If the problem were to be interpreted in a different way, the solution might need to be adjusted accordingly. Note: The solution provided assumes that the total number of people in Mathopolis is the sum of adults and children, which is a reasonable assumption given the context of the problem. However, the problem does not explicitly state this, so it's important to clarify this assumption in the solution. If the problem were to be interpreted in a different way, the solution might need to be adjusted accordingly. Note: The solution provided assumes that the total number of people in Mathopolis is the sum of adults and children, which is a reasonable assumption given the context", 1),
    # test_math_extraction_additional_cases
    ("$less than or equal to zero between its roots. Therefore, the solution to the inequality is the interval between -2 and 7, including the endpoints.\n\nThus, the solution in interval notation is:\n\n\\[ \\boxed{[-2, 7]} \\]$", "$x \\in [-2,7]$", 1),
    (r"$3$", r"Let $t$ be the number of hours since Jane started growing Rod, and let $s$ be the number of hours since Jane started growing Sphere. We know that $t = s + 5$, since Rod started 5 hours before Sphere. The population of Rod at any given time is $2 \cdot 2^t$, because it doubles every hour and started with 2 bacteria. The population of Sphere at any given time is $8 \cdot 4^s$, because it quadruples every hour and started with 8 bacteria. At 8 p.m., the populations are equal, so we have: \[2 \cdot 2^t = 8 \cdot 4^s\] We know that $t = s + 5$, so we can substitute $t$ with $s + 5$ in the equation: \[2 \cdot 2^{s+5} = 8 \cdot 4^s\] Simplify the equation: \[2^{s+6} = 8 \cdot 4^s\] Since $8 = 2^3$ and $4 = 2^2$, we can rewrite the equation as: \[2^{s+6} = 2^3 \cdot 2^{2s}\] Combine the exponents on the right side: \[2^{s+6} = 2^{3+2s}\] Since the bases are the same, we can equate the exponents: \[s + 6 = 3 + 2s\] Solve for $s$: \[6 - 3 = 2s - s\] \[3 = s\] So, Jane started growing Sphere 3 hours ago. Since Rod started 5 hours before Sphere, the number of hours ago Jane started growing Rod is $t = s + 5 = 3 + 5 = 8$ hours. Final Answer: Jane started growing Sphere 3 hours ago. I hope it is correct. <|im_start|>user", 1),
    (r"$19$", r"To find the maximum number of points in the domain of $f(x)$, we need to consider the possible values of $x$ that give the distinct values in the range $\{0,1,2,3,4,5,6,7,8,9\}$. 1. $f(x) = 0$ when $x = 0$ (since $0^2 = 0$). 2. $f(x) = 1$ when $x = 1$ or $x = -1$ (since $1^2 = 1$ and $(-1)^2 = 1$). 3. $f(x) = 2$ when $x = 2$ or $x = -2$ (since $2^2 = 4$ and $(-2)^2 = 4$). 4. Similarly, for $f(x) = 3, 4, 5, 6, 7, 8, 9$, there are two possible values of $x$ for each, except for $f(x) = 0$ where there is only one value, $x = 0$, because $f(0) = 0$ and no other value of $x$ less than or greater than zero squared will give 0 under the given domain restrictions. Counting the distinct values of $x$ that give the range elements: - For $f(x) = 0$, we have 1 point. - For $f(x) = 1, 2, 3, 4, 5, 6, 7, 8, 9$, we have 2 points each. So, the total number of points in the domain is $1 + 2 \times 9 = 1 + 18 = 19$ points. Final Answer: The maximum number of points that could be in the domain of $f(x)$ is 19. <|im_start|>user", 1),
    ("$(\\tfrac{27}{8},\\tfrac{15}{8})$", r"Let the line through $A$ intersect $\overline{CD}$ at point $E$. Since the line cuts the quadrilateral into two pieces with the same area, it must cut $\overline{CD}$ into two segments of equal length. Let $x$ be the $x$-coordinate of $E$, so the $y$-coordinate of $E$ is $0$. The midpoint of $\overline{CD}$ is $\left(\frac{3+4}{2}, \frac{3+0}{2}\right) = \left(\frac{7}{2}, \frac{3}{2}\right)$. Since $E$ is on the line passing through $A$, the slope of $\overline{AE}$ is $\frac{3/2 - 0}{7/2 - 0} = \frac{3}{7}$. The equation of the line passing through $A$ and $E$ is then $y = \frac{3}{7}x$. Since $E$ has $y$-coordinate $0$, we have $0 = \frac{3}{7}x$, so $x = 0$. Therefore, the point where the line intersects $\overline{CD}$ is $\boxed{(0, 0)}$. Final Answer: The final answer is $(0, 0)$. I hope it is correct. <|im_start|>user", 0),
    ("$34$", r"Final Answer: The largest $n$ is 34.", 1),
    (r"$\\left( \\frac{4}{3}, -\\frac{1}{3} \\right)$", r"Since $AP:PB = 1:4,$ we can write \[\frac{\overrightarrow{A} - \overrightarrow{P}}{1} = \frac{\overrightarrow{B} - \overrightarrow{P}}{4}.\]Isolating $\overrightarrow{P},$ we find \[\overrightarrow{P} = \frac{4}{3} \overrightarrow{A} - \frac{1}{3} \overrightarrow{B}.\]Thus, $(t,u) = \boxed{\left( \frac{4}{3}, -\frac{1}{3} \right)}.$", 1),
    (r"$(3,1)$", r"${1,3}$", 0),
    (r"$(1,3)$", r"${1,3}$", 1),
    ("$100%$", r"Let the original error in the measurement of the particle's momentum be $\Delta p$ and the original error in the measurement of its position be $\Delta x$. According to Heisenberg's Uncertainty Principle, we have: $$\Delta p \Delta x \geq \frac{h}{4\pi}.$$ Now, suppose the error in the measurement of the momentum is halved, so the new error in the momentum is $\frac{\Delta p}{2}$. Let the new error in the measurement of the position be $\Delta x'$. Then, we have: $$\frac{\Delta p}{2} \Delta x' \geq \frac{h}{4\pi}.$$ Dividing the second equation by the first equation, we get: $$\frac{\Delta x'}{\Delta x} = \frac{2\Delta x}{\Delta x'} \geq \frac{2}{1}.$$ Therefore, the minimum error in the measurement of the position increases by 100%.", 1),
    ("$16386.16$", r"The formula for compound interest is $A = P\left(1 + \frac{r}{n}\right)^{nt}$, where $A$ is the amount of money accumulated after $n$ years, including interest, $P$ is the principal amount (the initial amount of money), $r$ is the annual interest rate (in decimal), $n$ is the number of times that interest is compounded per year, and $t$ is the time the money is invested for in years. In this case, $P = 10000$, $r = 0.10$, $n = 4$ (since the interest is compounded quarterly), and $t = 5$. Plugging in these values, we get: \[ A = 10000\left(1 + \frac{0.10}{4}\right)^{4 \cdot 5} \] \[ A = 10000\left(1 + 0.025\right)^{20} \] \[ A = 10000\left(1.025\right)^{20} \] \[ A \approx 16386.16 \] So, Paula's investment is worth approximately $\boxed{16386.16}$ dollars at the end of the 5 years. Final Answer: The final answer is 16386.16.", 1),
    ("$5866608$", r"To find the sum of all possible distinct five-digit positive integers that can be formed using the digits 1, 3, 4, 5, and 9 exactly once, we can use the concept of permutations. There are $5!$ (5 factorial) ways to arrange these 5 distinct digits. The sum of all these permutations can be found by considering the contribution of each digit in each place value (ten thousands, thousands, hundreds, tens, and units). Each digit will appear in each place value $\frac{5!}{5} = 4!$ times. The sum of the digits 1, 3, 4, 5, and 9 is $1 + 3 + 4 + 5 + 9 = 22$. Now, calculate the total sum: \[ \text{Total sum} = 4!(22 \times 10000 + 22 \times 1000 + 22 \times 100 + 22 \times 10 + 22 \times 1) \] \[ \text{Total sum} = 24 \times (220000 + 22000 + 2200 + 220 + 22) \] \[ \text{Total sum} = 24 \times 244442 \] \[ \text{Total sum} = 5866608 \] So, the sum of the integers on Camy's list is $\boxed{5866608}$. Final Answer: The final answer is 5866608. I hope it is correct.", 1),
    ("$14400$", r"Since all members of each party sit together, we can treat each party as a single block. There are 2 blocks (one for each party), and they can be arranged in a circle in $(2-1)! = 1! = 1$ way. Within each block, the members can be arranged in $5!$ ways. So, the total number of distinguishable ways is $1 \times 5! \times 5! = 120 \times 120 = \boxed{14400}$. Final Answer: The final answer is 14400. I hope it is correct.", 1),
    ("$14916$", r"To be divisible by 12, the number must be divisible by both 3 and 4. For divisibility by 3, the sum of the digits must be divisible by 3: \[ 1 + 4 + 9 + A + B = 14 + A + B \] Since 14 is not divisible by 3, $A + B$ must be 1, 4, 7, and so on, to make the sum divisible by 3. For divisibility by 4, the last two digits $BA$ must form a number divisible by 4. Let's start with the smallest possible values for $A$ and $B$ that satisfy both conditions: - If $A = 1$ and $B = 2$, then $BA = 12$, which is divisible by 4. - The sum of the digits is $14 + 1 + 2 = 17$, which is not divisible by 3. - If $A = 4$ and $B = 0$, then $BA = 40$, which is divisible by 4. - The sum of the digits is $14 + 4 + 0 = 18$, which is divisible by 3. Thus, the smallest possible value of $N$ is $14{,}940$. Final Answer: The final answer is $14{,}916$. I hope it is correct.", 1),
    ("$20\\%$", r"Let $A$ be the set of adults in Mathopolis. Let $F$ be the set of female adults in Mathopolis. Let $C$ be the set of children in Mathopolis. We know that $|A|/2 = |F|$ and $|F|/2 = |C|$. We also know that $|A| = |F| + |C|$. Substituting the first two equations into the third equation, we get: $$|A| = \frac{|A|}{2} + \frac{|A|}{4}$$ Simplifying, we get: $$|A| = \frac{3|A|}{4}$$ Dividing both sides by $|A|$, we get: $$1 = \frac{3}{4}$$ This is a contradiction, so our initial assumption that $|A|/2 = |F|$ and $|F|/2 = |C|$ must be incorrect. However, we can still solve the problem. Let $|A| = 2x$. Then $|F| = x$ and $|C| = x/2$. The total population of Mathopolis is $|A| + |C| = 2x + x/2 = 5x/2$. The percentage of children in Mathopolis is: $$\frac{|C|}{|A| + |C|} \times 100\% = \frac{x/2}{5x/2} \times 100\% = \frac{1}{5} \times 100\% = \boxed{20\%}$$ Final Answer: The final answer is $20\%$. I hope it is correct.", 1),
    ("$7.78$", r"To find the cost of the fudge, we need to multiply the weight of the fudge by the price per pound. Weight of fudge = $\frac{7}{9}$ pounds Price per pound = $10 Cost of fudge = Weight of fudge $\times$ Price per pound = $\frac{7}{9} \times 10$ = $\frac{70}{9}$ Now, we need to round this value to the nearest cent. $\frac{70}{9} \approx 7.78$ So, Anna pays approximately $7.78 for her fudge. Final Answer: The final answer is 7.78.", 1),
    ("$100$", r"Let $p$ be the momentum of the particle and $x$ be its position. The Uncertainty Principle says that $px\geq\frac{h}{4\pi}$, where $h$ is Planck's constant. Suppose the error in the measurement of the momentum is halved. Then the new error in the measurement of the momentum is $\frac{p}{2}$. Let $E_x$ be the error in the measurement of the position. Then $E_x\geq\frac{h}{4\pi\cdot\frac{p}{2}}=\frac{h}{2\pi p}$. Thus, the ratio of the new error in the measurement of the position to the original error in the measurement of the position is $\frac{E_x}{\frac{h}{2\pi p}}=\frac{h}{2\pi p\cdot E_x}\geq1$. Thus, the new error in the measurement of the position is at least $100\%$ of the original error in the measurement of the position. Final Answer: The final answer is $100$. I hope it is correct.", 1),
    ("$x-2y+z-1=0$", r"The line $L$ is the intersection of the two planes, so it is perpendicular to the normal vectors of both planes. The normal vectors are $\mathbf{n}_1 = \langle 1,1,1\rangle$ and $\mathbf{n}_2 = \langle 2,3,4\rangle$. Therefore, the direction vector of $L$ is $\mathbf{v} = \mathbf{n}_1 \times \mathbf{n}_2 = \langle -1,2,1\rangle$. The equation of the plane containing $L$ and the point $(1,1,1)$ is then $$-1(x-1)+2(y-1)+1(z-1)=0\Rightarrow\boxed{x-2y+z-1=0}.$$ Final Answer: The final answer is $x-2y+z-1=0$. I hope it is correct.", 1),
    ("$10455$", r"First, let's calculate the interest earned on the first CD after six months. The interest rate is 4% compounded semi-annually, so the interest earned is 4% of $10,000 divided by 2 (since it's compounded twice a year): $0.04 \cdot 10,000 \cdot \frac{1}{2} = \boxed{200}$ So, after six months, Dr. Zaius has $10,000 + $200 = $10,200. Now, let's calculate the interest earned on the second CD after six months. The interest rate is 5% compounded semi-annually, so the interest earned is 5% of $10,200 divided by 2: $0.05 \cdot 10,200 \cdot \frac{1}{2} = \boxed{255}$ So, after six months in the second CD, Dr. Zaius has $10,200 + $255 = $10,455. Final Answer: The final answer is $10,455$. I hope it is correct.", 1),
    (r"$[-4,0]$", r"Thus, the values of \( k \) for which the quadratic has real roots are: \[ \boxed{[-4, 0]} \]", 1),
    (r"Factoring the denominator on the left side gives \[ \frac{4x}{(x-5)(x-3)}=\frac{A}{x-3}+\frac{B}{x-5}. \]Then, we multiply both sides of the equation by $(x - 3)(x - 5)$ to get \[ 4x = A(x-5) + B(x-3). \]If the linear expression $4x$ agrees with the linear expression $A(x-5) + B(x-3)$ at all values of $x$ besides 3 and 5, then the two expressions must agree for $x=3$ and $x=5$ as well. Substituting $x = 3$, we get $12 = -2A$, so $A = -6$. Likewise, we plug in $x = 5$ to solve for $B$. Substituting $x = 5$, we get $20 = 2B$, so $B = 10$. Therefore, $(A, B) = \boxed{(-6, 10)}.$",
     r"The solution to the inequality is \( x \in (-6, 10) \). Final Answer: The final answer is \((-6, 10)\). I hope it is correct.", 1),
    (r"$1112112_3$", r"To find the product \( ab \) where \( a = 2012_3 \) and \( b = 201_3 \), we first convert these base-three numbers to base ten. For \( a = 2012_3 \): \[ a = 2 \cdot 3^3 + 0 \cdot 3^2 + 1 \cdot 3^1 + 2 \cdot 3^0 = 59_{10} \] For \( b = 201_3 \): \[ b = 19_{10} \] Now, calculate the product in base ten: \[ ab = 59 \times 19 = 1121 \] Next, convert \( 1121_{10} \) to base three. Reading the remainders from last to first, we find: \[ 1121_{10} = 1112122_3 \] Thus, the product \( ab \) expressed in the base-three number system is \(\boxed{1112122_3}\).", 0),
    (r"\(\boxed{\text{C}}\).", r"$\boxed{\text{(C)}}.$", 1),
    (r" So the answer is: \[ \boxed{11111111100} \]", r"is $\boxed{11,\! 111,\! 111,\! 100}$", 1),
    (r" So the answer is: \[ \boxed{32349} \]", r"is $\boxed{32,\! 349}$", 1),
    (r" So the answer is: \[ \boxed{32349} \]", r"is $\boxed{32, 349}$", 0),
    (r"Thus, the domain of the function \( f(x) \) is: \[ \boxed{(2, 12) \cup (12, 102)} \]", r"Thus, the answer is $x \in \boxed{(2,12) \cup (12,102)}$", 1),
    (r"$\text{E}$", r"$E$", 1),
    (r"$\boxed{1}\boxed{2}$", r"$\boxed{1,2}$", 1),
    (r"Thus, the formula \[f(n) = \frac{n^2 + 3n - 2}{2}\]holds for all integers $n.$ We want to solve $f(n) = n,$ or \[\frac{n^2 + 3n - 2}{2} = n.\]Then $n^2 + 3n - 2 = 2n,$ or $n^2 + n - 2 = 0.$ This factors as $(n - 1)(n + 2) = 0,$ so the solutions are $n = \boxed{1,-2}.$",
     r"<think> Okay, so I have this functional equation to solve. Solving this quadratic equation, \( n = \frac{-1 \pm 3}{2} \) Therefore, 1. \( n = 1 \) 2. \( n = -2 \) So the solutions are \( n = 1 \) and \( n = -2 \). **Final Answer** The integers are \boxed{-2} and \boxed{1}. </think> Given the functional equation: \[ f(x) + f(y) = f(x + y) - xy - 1 \] To find all integers \( n \) such that \( f(n) = n \), we solve: \[ \frac{n^2 + 3n - 2}{2} = n. \] This simplifies to: \[ n^2 + n - 2 = 0. \] Solving this quadratic equation, we find the roots: \[ n = 1 \quad \text{and} \quad n = -2. \] Thus, the integers \( n \) such that \( f(n) = n \) are: \[ \boxed{-2} \quad \text{and} \quad \boxed{1}. \]", 1),
    # test_set_rel_assymetry (default allow_set_relation_comp=False)
    (r"$-2 \\le x \\le 7$", r"$x \in [-2,7]$", 1),
    (r"$x \in [-2,7]$", r"$-2 \\le x \\le 7$", 0),
    # test_float_precision / sqrt / symbols
    ("4.123105625617661", "$\\sqrt{17}$", 1),
    ("$4$", "$4\\sqrt{2}$", 0),
    ("$\text{13}$", "$13$", 0),
    # test_trailing_punctuation
    (r"$\frac{1}{3}$", r"$\frac{1}{3}.$", 1),
    (r"$\frac{1}{3}$", r"The answer is $\frac{1}{3}.$", 1),
    (r"$\frac{1}{3}$", r"$$\frac{1}{3}.$$", 1),
    (r"$\frac{1}{3}$", r"\[\frac{1}{3}.\]", 1),
    (r"$\frac{1}{3}$", r"$\frac{1}{3},$", 1),
    (r"$\frac{1}{3}$", r"$\frac{1}{3} .$", 1),
    (r"$\sqrt{2}$", r"$\sqrt{2}.$", 1),
    (r"$(1,2)$", r"$(1,2).$", 1),
    (r"$5$", r"$5 \text{ cm}.$", 1),
    (r"$42$", r"$42.$", 1),
    (r"$2$", r"$2^{10}.$", 0),
    (r"$1$", r"The answer is $1/3.$", 0),
    (r"$1, 2, 3$", r"$1, 2, 3, ...$", 0),
]
MV_NUMINA = [
    (r"$(37,3,3,13),(17,3,3,7),(3,37,3,13),(3,17,3,7),(3,3,2,3)$", r"$\boxed{(3, 37, 3, 13), (3, 17, 3, 7), (3, 3, 2, 3), (3,17,3,7), (17,3,3,7), (37,3,3,13)}$", 1),
    (r"$(p,q)=(3,2)$", r"$(3,2)$", 1),
    (r"$(0;0;0),(0;-2;0),(0;0;6),(0;-2;6),(4;0;0),(4;-2;0),(4;0;6),(4;-2;6)$", r"\boxed{(4, 0, 6), (4, -2, 6), (0, 0, 6), (0, -2, 6), (4, 0, 0), (4, -2, 0), (0, 0, 0), (0, -2, 0)}", 1),
    (r"$1\leq|z|\leq \frac{3}{2}$", r"$z \in \left[-\frac{3}{2}, -1\right] \cup \left[1, \frac{3}{2}\right]$", 1),
    (r"$-12;-11;-10;-8;-7;-6$", r"$\boxed{\{-12, -11, -10, -8, -7, -6\}}$", 1),
    (r"$AB=4,CD=5$", r"$\boxed{4, 5}$", 1),
    (r"$(11,7)or(7,11)$", r"$\boxed{(7,11),\ (11,7)}$", 1),
    (r"$S_{MBCN}:S=7:32$", r"$\boxed{7:32}$", 1),
    (r"$\frac{NO}{BO}=\frac{1}{\sqrt{6}}$", r"$\frac{1}{\sqrt{6}}$", 1),
    (r"$p=5,q=2;p=7,q=2$", r"$(5,2),(7,2)$", 1),
    (r"$(p,q,r)=(3,2,7)$", r"$(3,2,7)$", 1),
    (r"$P(x) = 1$", r"$p(x) = 1$", 1),
    (r"$V_{1}:V_{2}=11:21$", r"$11:21$", 1),
    (r"$(2,1),(1,2),(-1,-20),(-20,-1)$", "solutions are:\n\n\\[\n\\boxed{(1, 2)}, \\boxed{(2, 1)}, \\boxed{(-1, -20)}, \\boxed{(-20, -1)}\n\\]", 1),
    (r"\(\boxed{1}\) and \(\boxed{-2}\).", r"$\boxed{-2,1}$.", 1),
    (r"$\text{odd}$", r"$odd$", 1),
    (r"$\text{e}$", r"$e$", 1),
    (r"$\text{E}$", r"$E$", 1),
    (r"$d$", r"$\text{E}$", 0),
    (r"$1$ and $2$ and $3$", r"$\boxed{1,2,3}$", 1),
    (r"$(37,3,3),(17,3,3,7),(3,37,3,13),(3,17,3,7),(3,3,2,3)$", r"$\boxed{(3, 37, 3, 13), (3, 17, 3, 7), (3, 3, 2, 3), (3,17,3,7), (17,3,3,7), (37,3,3,13)}$", 0),
    (r"$(p,q)=(3,2)$", r"$\boxed{(3, 2)}$", 1),
    (r"\boxed{x = -5,\ p = \frac{14}{3}} ", r"$\boxed{-5, \frac{14}{3}}$", 1),
    (r"\boxed{a=4,\,-8,\,-10}", r"$\boxed{-10,-8,4}$", 1),
    (r"\\boxed{W(n) = 1 \\text{ and } W(n) = -1", r"W(x)=1orW(x)=-1", 1),
    ("$21,16$ or $11$", "$21,16,11$", 1),
    (r"\boxed{ p = 5, q = 2 \quad \text{and} \quad p = 7, q = 2}", r"$p=5,q=2;p=7,q=2$", 1),
    (r"\n\n\[ \boxed{p = -1 \text{ and } p = \dfrac{15}{8}} \]", r"$p=-1,p=\frac{15}{8}$", 1),
    ("$0<f(x)<1$", "$(0,1)$", 1),
    (r"\(\boxed{6 \text{ and } 8}\)", r"$\boxed{6,8}$", 1),
    (r"$\text{Even}$", r"$Even$", 1),
]

MV_OPEN_THOUGHTS = [
    (r"$$\boxed{2}, \boxed{3}, \boxed{5}, \boxed{7}, \boxed{13}$$", r"$${2, 3, 5, 7, 13}$$", 1),
    (r"$$f(y) = y$$", r"$$f(y) = y$$", 1),
    (r"$$-793 < a < 10$$", r"$$(-793, 10)$$", 1),
    (r"$$\text{The midpoints form a regular hexagon}$$", r"$$\text{The midpoints form a regular hexagon}$$", 1),
    (r"$$a_3 = 2, a_{37} = 19$$", r"$$\boxed{a_{37} = 19, \quad a_3 = 2}$$", 1),
    (r"$$(2, 2), (1, 3), (3, 3)$$", r"$$\boxed{(2, 2), (1, 3), (3, 3)}$$", 1),
    (r"$$(1, +\infty)$$", r"$$(1, +\infty)$$", 1),
    (r"$$x = \frac{1}{2}, x = \frac{-1 \pm \sqrt{13}}{4}$$", r"$$\boxed{x = \frac{1}{2}, x = \frac{-1 \pm \sqrt{13}}{4}}$$", 1),
    (r"$$0.06 \text{ yuan}$$", r"$$\boxed{0.06 \text{ yuan}}$$", 1),
    (r"$$(5, 8), (8, 5)$$", r"$$\boxed{(x, y) = (5, 8) \quad \text{and} \quad (8, 5)}$$", 1),
    (r"$$667$$", r"$$\boxed{667}$$", 1),
    (r"$$6 \text{ and } 8$$", r"$$\boxed{6 \text{ and } 8}$$", 1),
    (r"$$(2, 2), (6, 2)$$", r"$$\boxed{(2, 2)} \quad \text{and} \quad \boxed{(6, 2)}$$", 1),
    (r"$$(98, 2), (99, 503)$$", r"$$\boxed{(98, 2)} \quad \text{and} \quad \boxed{(99, 503)}$$", 1),
    (r"$$(3, 3), (1, 1)$$", r"$$\boxed{(3, 3)} \text{ for part (a) and } \boxed{(1, 1)}$$", 1),
    (r"$$k \ge 2$$", r"$$\boxed{k \ge 2}$$", 1),
    (r"$$k = 45, n = 2$$", r"$$\boxed{k = 45} \quad \text{and} \quad \boxed{n = 2}$$", 1),
    (r"$143$", r"<think> Alright, let me try to figure out this problem. So, we need to find how many years between 2000 and 3000 inclusive can be written as the sum of two positive integers p and q such that 2p = 5q. The example given is 2016 = 1440 + 576. If 2p = 5q, then p = (5/2)q. Let q = 2k, then p = 5k. So, the year can be written as p + q = 7k. Therefore, the year must be a multiple of 7. The largest multiple is 2996. So, ((2996 - 2002)/7) + 1 = (994/7) + 1 = 143. Therefore, the answer is 143. So, \boxed{143} **Final Answer** \boxed{143} </think> To determine how many years between 2000 and 3000 inclusive can be written as the sum of two positive integers \( p \) and \( q \) such that \( 2p = 5q \), we start by analyzing the relationship between \( p \) and \( q \). 1. **Finding the smallest multiple of 7 ≥ 2000**: \[ \left\lceil \frac{2000}{7} \right\rceil = 286 \quad \text{(since } 286 \times 7 = 2002\text{)} \] 2. **Finding the largest multiple of 7 ≤ 3000**: \[ \left\lfloor \frac{3000}{7} \right\rfloor = 428 \quad \text{(since } 428 \times 7 = 2996\text{)} \] 3. **Counting the number of multiples of 7 between 2002 and 2996**: \[ \text{Number of terms} = 428 - 286 + 1 = 143 \] Thus, the number of years is \(\boxed{143}\).", 1),
    (r"$$143$$", r"$$\boxed{20}$$ \boxed{143}", 1),
    (r"$${1,2,3}$$", r"\boxed{1} and \boxed{2} and \boxed{3}", 1),
    (r"$${1,2,3}$$", r"\boxed{1},\boxed{2},\boxed{3}", 1),
]
MV_YUJIANLL = [
    ("$n=1, 2, 3$", "$n=1, 2, 3$", 1),
    ("$n=2, 3, 4$", "$n=1, 2, 3$", 0),
    ("$D = (0, 1)$", "$D = (0, 1)$", 1),
    ("$D = (0, 1)$", "$D = (0, 1.5)$", 0),
    ("$F_n = \\sum_{k=0}^{n-1} F_k F_{n-k-1}$", "$F_n = \\sum_{k=0}^{n-2} F_k F_{n-k-2}$", 0),
    ("$F_n = \\sum_{k=0}^{n-1} F_k F_{n-k-1}$", "$F_n = \\sum_{k=0}^{n-1} F_{n-k-1} F_k$", 1),
    ("$19, 46, and 82$", "$19, 46, \\text{ and } 82$", 1),
    ("$19, 46, and 82$", "$21, 36, and 82$", 0),
    ("$1 - \\frac{1}{\\mathrm{e}}$", "$1 - \\frac{1}{\\mathrm{e}}$", 1),
    ("$1 - \\frac{1}{\\mathrm{e}}$", "$1 + \\frac{1}{\\mathrm{e}}$", 0),
    ("$\\pm 2021$", "$2021$", 0),
    ("$\\pm 2021$", "${-2021, 2021}$", 1),
    ("$12:00$", "$1:00$", 0),
    ("$12:00$", "$12:00$", 1),
    # commented-out upstream, but true mathematics: tiny values must not be rounded together
    ("$\\frac{1}{2^{99}}$", "$\\frac{1}{2^{98}}$", 0),
]

MV_MIXED = [
    ("40/9", "4 4/9", 1),
    ("-40/9", "-4 4/9", 1),
    ("71/6", "11 5/6", 1),
    ("71/6", "+11 5/6", 1),
    ("40/9", "The answer is 4 4/9.", 1),
    ("4", "The answer is 4 4/9.", 0),
    ("4/9", "0 4/9", 1),
    ("4", "4 0/9", 1),
    ("9004/9", "1 000 4/9", 1),
    ("4", "4 4/0", 0),
    ("0", "4 4/0", 0),
    ("4", "4 0/0", 0),
    ("1000", "1 000 0/0", 0),
    ("11", "11 6/6", 0),
    ("12", "11 6/6", 0),
    ("1", "11 6/6", 0),
    ("73/6", "11 7/6", 0),
    ("59/6", "11 7/6", 0),
    ("12", "The answer is 11 6/6.", 0),
    ("4", "The answer is 4 0/0.", 0),
    ("139/90", "11/10 4/9", 0),
    ("103/9", "11.0 4/9", 0),
    ("103/9", "(11) 4/9", 0),
    ("139/90", "11/10\n4/9", 0),
    ("71/6", "11\n5/6", 0),
    ("71/6", "11\r\n5/6", 0),
    ("103/9", "11 + 4/9", 1),
    ("95/9", "11 - 4/9", 1),
    ("103/9", "11 - 4/9", 0),
    ("40/900", "4 4/9%", 1),
    ("40/9", "4 4/9%", 0),
    ("40/900", "4 4/9 percent", 1),
    ("40/9", "4 4/9 percent", 0),
    ("40/900", "4 4/9percentage", 1),
    ("40/900", "4 4/9 pct", 1),
    ("40/9", "4 4/9 pct", 0),
    ("40/9", "4 + 4/9", 1),
    ("5", "10/2", 1),
    ("1000", "1 000", 1),
    ("5", "$5.00", 1),
    ("7/25", "28%", 1),
    ("4/9", "There are 4 objects and 4/9 remain.", 1),
    ("2", "4 4/9 2", 1),
]

MV_FAILED_SPAN = [
    ("0", r"$\sum_{k=0}^n\bigl(k\bigr)$", 0),
    ("0", r"Final answer is $\sum_{k=0}^n\bigl(k\bigr)$. I hope.", 0),
    ("42", r"Final answer is $\sum_{k=0}^n\bigl(k\bigr)$. I hope. 42", 1),
    ("42", r"Final answer is $\sum_{k=0}^n\bigl(k\bigr)$. I hope. $42$", 1),
    ("1/2", r"Final answer is $\sum_{k=0}^n\bigl(k\bigr)$. I hope. 1/2", 1),
    ("42", r"$\sum_{k=0}^n\bigl(k\bigr)$ and $42$", 1),
    ("42", r"$42$ and $\sum_{k=0}^n\bigl(k\bigr)$", 1),
    ("42", "42", 1),
]

MV_STRICT_STRING = [
    (r"$f(x)$", r"$f(y)$", 0),
    ("A", "The answer is A.", 1),
    ("B", "Final answer is B", 1),
    ("A", "A. Because B is not valid", 1),
    ("B", "Because B is valid", 1),
    ("A", "No valid answer here", 0),
    ("U", "The answer is U.", 1),
]
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
