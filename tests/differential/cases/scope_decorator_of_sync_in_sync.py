# A decorator evaluated in a plain def: await is illegal there.
def build(app):
    @app.wrap(await app.middleware())
    async def view():
        return 1
    return view
