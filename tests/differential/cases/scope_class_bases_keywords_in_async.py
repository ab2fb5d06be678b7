# Bases and keywords of a class statement run in the enclosing scope.
async def build(loader):
    class Plugin(await loader.base(), metaclass=await loader.meta(), flag=[m async for m in loader]):
        name = "plugin"
    return Plugin
