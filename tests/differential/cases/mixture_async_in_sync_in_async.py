# Only the innermost function decides.
async def a():
    def b():
        async def c():
            def d():
                return [x async for x in e()]
            return await d()
        return c
    return b
