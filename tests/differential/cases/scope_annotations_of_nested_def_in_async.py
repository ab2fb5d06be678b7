# Parameter and return annotations of a nested def run in the enclosing async def.
async def outer(registry):
    def inner(x: await registry.kind("x"), *args: await registry.kind("a")) -> await registry.ret():
        return x
    return inner
