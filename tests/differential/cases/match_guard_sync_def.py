# 3.10+: a guard in a plain def may not await.
def dispatch(msg):
    match msg:
        case {"type": kind} if await check(kind):
            return kind
