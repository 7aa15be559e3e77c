"""``facts.main_block`` finds the ``if __name__ == "__main__":`` line as ``MAIN_LINE.search``
would (it only skips the positions where the anchored pattern cannot start)."""

from __future__ import annotations

import random

from metaflow_expert.rules.facts import MAIN_LINE, main_block

PIECES = [
    "if __name__ == '__main__':\n",
    'if  __name__=="__main__" :',
    "\n",
    '  if __name__ == "__main__":\n',
    "x = 1\n",
    "if\n__name__ == '__main__':",
    "iff",
    "if",
    "'__main__'",
    "if x:\n",
    "\r\n",
    "Flow()\n",
]


def test_same_match_as_search() -> None:
    rng = random.Random(1)
    for _ in range(20000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 8)))
        want = MAIN_LINE.search(text)
        got = main_block(text)
        assert (want.span() if want else None) == (got.span() if got else None), repr(text)
