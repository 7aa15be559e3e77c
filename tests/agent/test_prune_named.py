"""A decorator named by a plain word is context, not the answer (issue 12: offline answers)."""

from __future__ import annotations

from metaflow_expert.agent.offline import WRITTEN_WEIGHT, Passage, prune


def test_plain_word_decorator_does_not_set_the_bar(index) -> None:
    # "in parallel": the word also lifts @parallel in the search itself, so its search score
    # (1.0) must not be the bar that hides the search's own best unnamed passage (0.5)
    ps = [
        Passage("parallel.py", 1, 1, "P", 2.0, boost=1.0),
        Passage("s3.py", 1, 1, "S3.put_many", 0.5),
        Passage("s3op.py", 1, 1, "op", 0.35),
        Passage("far.py", 1, 1, "far", 0.1),
    ]
    kept = [p.path for p in prune(ps, "plain words", index)]
    assert kept == ["s3.py", "parallel.py", "s3op.py"]


def test_written_decorator_still_leads(index) -> None:
    ps = [
        Passage("retry.py", 1, 1, "R", 1.0 + WRITTEN_WEIGHT, boost=WRITTEN_WEIGHT),
        Passage("other.py", 1, 1, "o", 0.9),
    ]
    assert [p.path for p in prune(ps, "plain words", index)] == ["retry.py", "other.py"]
