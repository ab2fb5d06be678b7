# The first iterable runs in the async def; the rest is the comprehension's own scope.
async def collect(pages):
    first = [p.id for p in await pages.fetch()]
    rest = [q async for p in await pages.fetch() for q in p]
    cond = [p for p in pages.cached() if await p.valid()]
    return first, rest, cond
