async def relay(y, c, d):
    z = ((yield from y)
         if c
         else d)
