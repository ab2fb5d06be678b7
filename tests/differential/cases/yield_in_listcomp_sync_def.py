# 3.7: DeprecationWarning only; 3.8+: SyntaxError.
def collect(items):
    return [(yield item) for item in items]
