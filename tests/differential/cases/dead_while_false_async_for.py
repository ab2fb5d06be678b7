# 3.7 drops `while False:` bodies unchecked; 3.8+ reject.
def loop(items):
    while False:
        async for item in items:
            print(item)
