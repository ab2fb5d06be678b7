# `match`, `case` and `type` stay ordinary names on every version.
async def main(type, match, case):
    match = await type(match)
    case = [type async for type in case]
    return match, case, (await t for t in type)
