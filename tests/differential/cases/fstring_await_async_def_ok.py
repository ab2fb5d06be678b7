# Inside an async def an f-string may await (3.7+).
async def greet(user):
    return f"hello {await user.name()} ({[r async for r in user.roles()]})"
