# The annotations of a module-level async def are evaluated at module level.
async def handler(request: await get_type()) -> None:
    return None
