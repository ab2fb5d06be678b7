# `elif 0:` drops only that clause; the else stays live (rejected everywhere).
def pick(flag):
    if flag:
        return 1
    elif 0:
        return await flag
    else:
        return await flag.other()
