# A bare return in an async generator is fine; nested functions are independent.
async def numbers(limit):
    def helper():
        return limit
    for i in range(helper()):
        if i > 3:
            return
        yield i
