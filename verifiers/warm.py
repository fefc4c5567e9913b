"""Imported by the reward pool's forkserver (rewards/pool.py) before it starts any worker.

A verifier's first check can spend seconds on imports and first-use set-up (math-verify: sympy and
the LaTeX parser, ~1 s on a warm 2-core machine, more than the default 2 s limit on a cold one).
Counted inside a check, that time made the first sympy-path check of every worker time out, and the
replacement worker start cold again. Done here once, every worker forks with it done.
"""
from verifiers.math import warm_up

warm_up()
