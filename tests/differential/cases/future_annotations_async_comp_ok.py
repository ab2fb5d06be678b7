from __future__ import annotations

# Async comprehensions in annotations are accepted on every version.
def handler(x: [a async for a in b]) -> {k: v async for k, v in c}:
    y: [z async for z in w] = 1
    return x
