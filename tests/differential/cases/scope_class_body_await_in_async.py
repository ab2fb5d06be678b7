# The class body itself is not async, even inside an async def.
async def build(loader):
    class Plugin:
        value = 1
        other = await loader.value()
    return Plugin
