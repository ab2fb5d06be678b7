# Lambda defaults are evaluated in the enclosing async def: legal.
async def run(loop, job):
    loop.call_soon(lambda result=await job(): print(result))
