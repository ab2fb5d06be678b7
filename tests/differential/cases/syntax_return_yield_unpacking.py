# 3.8+: unparenthesized unpacking after return and yield.
async def pairs(a, b):
    yield await a, *b


def plain(a, b):
    x = yield a, *b
    return x, *b
