# The genexp's first iterable is evaluated at module level: await is illegal there.
stream = (item for item in await fetch())
