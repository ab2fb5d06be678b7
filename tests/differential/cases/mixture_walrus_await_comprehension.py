# 3.8+: walrus in a comprehension element of an async def; nested def checks its own scope.
async def main(items):
    seen = [(last := await i) for i in items]

    def sync_view():
        return [(y := await i) for i in items]
    return seen, last, sync_view
