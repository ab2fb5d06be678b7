# A local annotation is never compiled, but the symbol table still sees its yield.
async def f():
    x: (yield)
    return 1
