# Defaults of a def nested in an async def run in the async def: legal.
async def fetch(session):
    def parse(body=await session.read(), *, strict=await session.flag()):
        return body
    return parse
