# A yield in a nested def's default (or a class base, or a lambda default) is evaluated in
# the async def, which makes it an async generator: `return 1` is then rejected.
async def f():
    def g(a=(yield)):
        pass
    return 1
