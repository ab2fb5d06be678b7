# 3.12+: f-strings reusing their own quotes.
async def main(user):
    return f"{f"{await user.name()}"} has {len([r async for r in user.roles()])} roles"
