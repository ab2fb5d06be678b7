# 3.7 compiles defaults before annotations.
def outer():
    def inner(a: await kind(),
              b=1):
        pass
    return inner
