"""Imported by the reward pool's forkserver (rewards/pool.py) before it starts any worker.

A verifier's first check can spend seconds on imports and first-use set-up (math-verify: sympy and
the LaTeX parser, 0.8 s on the 2-core machine; more where the sources are not yet compiled).
Counted inside a check, that time can exceed the limit on every worker's first sympy-path check,
and a replacement worker would start cold again. Done here once, every worker forks with it done.
"""
from verifiers.math import warm_up

warm_up()
