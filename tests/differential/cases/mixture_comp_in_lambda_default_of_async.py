# A lambda default inside a comprehension element: the comprehension's scope.
async def make(fs):
    return [lambda a=await f: a for f in fs]
