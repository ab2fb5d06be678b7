# The first iterable is the enclosing function's: this is a plain generator.
def collect():
    return [x for x in (yield)]
