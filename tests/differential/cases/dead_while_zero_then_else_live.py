# The else of `while 0:` still runs and is checked on every version.
def loop():
    while 0:
        await tick()
    else:
        await done()
