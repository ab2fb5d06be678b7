# After `elif True:` every later clause is dropped by 3.7, tests included.
def pick(flag):
    if flag:
        return 1
    elif True:
        return 2
    elif await flag:
        return 3
    else:
        return [x async for x in flag]
