# A later iterable belongs to the comprehension, which becomes asynchronous.
def collect(pages):
    ids = 0
    return [x for p in pages for x in await p.items()]
