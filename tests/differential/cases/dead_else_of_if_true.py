# The else of `if 1:` is dead for 3.7 only.
if 1:
    mode = "sync"
else:
    async with lock:
        mode = "async"
