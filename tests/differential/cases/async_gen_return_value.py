# An async generator may not return a value.
async def numbers(limit):
    for i in range(limit):
        yield i
    return limit
