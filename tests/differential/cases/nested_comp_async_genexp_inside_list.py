# An async genexp never makes its container async: legal 3.7+ in a plain def.
def streams(rows):
    return [(cell async for cell in row) for row in rows]
