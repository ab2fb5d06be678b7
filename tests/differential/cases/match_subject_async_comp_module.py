match [m async for m in inbox]:
    case []:
        pass
