# A lambda is a synchronous function even inside an async def.
async def run(loop, job):
    loop.call_soon(lambda: await job())
