# A yield in the first iterable makes the async def a generator: return value rejected.
async def weird(items):
    data = [x for x in (yield items)]
    return data
