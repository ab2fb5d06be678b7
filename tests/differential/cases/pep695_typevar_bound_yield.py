def outer():
    def convert[T: (yield)](value: T) -> T:
        return value
    return convert
