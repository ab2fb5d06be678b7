# yield from is never allowed in an async def.
async def relay(source):
    await source.ready()
    yield from source
