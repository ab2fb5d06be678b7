# An async generator expression may be built in a class body (3.7+).
async def build(source):
    class Feed:
        items = (await item for item in source)
        names = (n async for n in source if n)
    return Feed
