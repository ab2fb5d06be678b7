# 3.12+: annotations of a generic def live in the generic's annotation scope.
async def outer():
    def convert[T](value: await get()) -> T:
        return value
    return convert
