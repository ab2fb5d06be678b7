# Set and dict comprehensions are placed on their opening brace by every version.
def collect(b):
    s = {
        a
        async for a in b
    }
    d = {
        a: a
        async for a in b
    }
    return s, d
