# 3.7 compiles *args before keyword arguments.
def outer(g, y):
    return g(k=await y,
             *y)
