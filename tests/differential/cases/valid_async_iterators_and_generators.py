import asyncio


class Ticker:
    def __init__(self, delay, to):
        self.delay = delay
        self.i = 0
        self.to = to

    def __aiter__(self):
        return self

    async def __anext__(self):
        i = self.i
        if i >= self.to:
            raise StopAsyncIteration
        self.i += 1
        if i:
            await asyncio.sleep(self.delay)
        return i


async def squares(n):
    async for i in Ticker(0, n):
        yield i * i
    return


async def main():
    values = [v async for v in squares(5)]
    evens = {v for v in values if v % 2 == 0}
    lookup = {v: [w async for w in squares(v)] for v in evens}
    lazy = (await asyncio.sleep(0, v) for v in values)
    total = sum([x async for x in lazy])
    print(f"{total} {await asyncio.sleep(0, 'done')}")
    return lookup
