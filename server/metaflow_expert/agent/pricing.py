"""Estimated cost of an answer from Anthropic's published per-token prices.

A small table per model family (USD per million tokens). Unknown models give ``None`` rather
than a wrong number.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    input: float
    output: float
    cache_write: float
    cache_read: float


# (substring of the model id, price); first match wins, so specific ids come first.
_PRICES: tuple[tuple[str, Price], ...] = (
    ("opus-4-5", Price(5.0, 25.0, 6.25, 0.50)),
    ("opus-4-6", Price(5.0, 25.0, 6.25, 0.50)),
    ("opus", Price(15.0, 75.0, 18.75, 1.50)),
    ("sonnet", Price(3.0, 15.0, 3.75, 0.30)),
    ("haiku-5", Price(1.0, 5.0, 1.25, 0.10)),
    ("haiku-4-5", Price(1.0, 5.0, 1.25, 0.10)),
    ("haiku-3-5", Price(0.80, 4.0, 1.0, 0.08)),
    ("haiku", Price(0.25, 1.25, 0.30, 0.03)),
)


def price_for(model: str) -> Price | None:
    m = model.lower()
    for key, price in _PRICES:
        if key in m:
            return price
    return None


def estimate_cost(
    model: str, input_tokens: int, output_tokens: int, cache_write: int, cache_read: int
) -> float | None:
    price = price_for(model)
    if price is None:
        return None
    return (
        input_tokens * price.input
        + output_tokens * price.output
        + cache_write * price.cache_write
        + cache_read * price.cache_read
    ) / 1_000_000
