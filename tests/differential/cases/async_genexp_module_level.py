# Async generator expressions at module level, in a lambda and in a default (3.7+).
source = None
stream = (await item for item in source)
make = lambda src: (x async for x in src)
def consume(gen=(y async for y in source)):
    return gen
