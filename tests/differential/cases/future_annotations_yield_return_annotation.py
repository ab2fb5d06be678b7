"""Module docstring before the future import."""
from __future__ import annotations


def gen() -> (yield):
    yield 1
