# yield inside a genexp's own scope (its condition).
def collect(items):
    return list(x for x in items if (yield x))
