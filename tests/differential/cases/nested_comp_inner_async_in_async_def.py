# 3.11+: an async comprehension makes the enclosing comprehension async.
async def table(rows):
    return [[cell async for cell in row] for row in rows]
