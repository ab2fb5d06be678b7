# An await in a comprehension condition inside a lambda.
async def main(items):
    pick = lambda: {i for i in items if await i.ok()}
    return pick
