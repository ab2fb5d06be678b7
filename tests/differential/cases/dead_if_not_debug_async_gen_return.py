# 3.7: `if not __debug__:` is folded; the return-with-value check is skipped there.
async def ticks():
    yield 1
    if not __debug__:
        return 2
