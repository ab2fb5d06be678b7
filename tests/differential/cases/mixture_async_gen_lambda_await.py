# A lambda inside an async generator is a plain function.
async def ticks(clock):
    yield 0
    later = lambda: await clock.tick()
    yield later
