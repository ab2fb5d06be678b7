# Rejected everywhere: the outermost comprehension ends up in a plain def.
def table(rows):
    total = 0
    return [[cell async for cell in row] for row in rows]
