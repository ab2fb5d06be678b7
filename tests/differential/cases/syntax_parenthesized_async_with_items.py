# 3.9+: parenthesized async with items.
async def main(a, b):
    async with (
        a() as first,
        b(await first.child()) as second,
    ):
        return [x async for x in second]
