# The first iterable of a comprehension in a plain def is evaluated in that def.
def collect(pages):
    return {p.id: p for p in await pages.fetch()}
