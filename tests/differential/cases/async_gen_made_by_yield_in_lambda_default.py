async def f():
    hook = lambda a=(yield): a
    return hook
