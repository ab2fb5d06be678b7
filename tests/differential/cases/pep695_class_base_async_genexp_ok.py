# 3.12+: an async genexp is legal even in an annotation scope.
class Box[T](Base, extra=(a async for a in b)):
    pass

type Stream[T] = (await item for item in T)
