# Plain synchronous code; the words below are only in strings and comments.
def describe(kind="await"):
    """Return 'async for' or 'yield from' descriptions."""
    text = "await x; async with y; yield from z"
    gen = (c for c in text if c != "a")

    def inner():
        yield from gen
        return 0

    return [k for k in inner()], lambda: (yield)
