# A method's defaults run in the class body, which is never async.
async def make():
    class Handler:
        def handle(self, timeout=await get_timeout()):
            return timeout
    return Handler
