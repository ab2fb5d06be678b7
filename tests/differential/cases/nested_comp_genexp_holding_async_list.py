# 3.11+: a genexp holding an async list comprehension becomes an async genexp: legal anywhere.
def lazy(rows):
    return ([cell async for cell in row] for row in rows)
