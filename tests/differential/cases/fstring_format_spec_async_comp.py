# A nested format spec field, in a plain def.
def table(rows, width):
    return f"{rows!r:>{[w async for w in width][0]}}"
