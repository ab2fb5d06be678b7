from __future__ import annotations


class Registry:
    table = {}
    table["x"]: [t async for t in types()]
