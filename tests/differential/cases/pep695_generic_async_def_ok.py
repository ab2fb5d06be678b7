# 3.12+: a generic async def's body is async; defaults and decorators stay outside.
async def outer(d):
    @(await d)
    async def fetch[T](kind: type[T], default=await d) -> T:
        return await kind.load()
    return fetch
