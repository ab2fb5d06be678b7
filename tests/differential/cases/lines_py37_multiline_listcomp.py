# 3.7 places a list comprehension on the line of its first element token.
def collect(source):
    return [
        item
        async for item in source
    ]
