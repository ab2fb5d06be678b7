# 3.10+: the subject and guards run in the function scope.
async def dispatch(conn):
    match await conn.recv():
        case {"type": "ping"} if await conn.alive():
            await conn.send("pong")
        case other:
            return other
