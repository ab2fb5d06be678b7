# Every decorator of a nested def/class runs in the enclosing async def.
async def build(app):
    @app.route("/x")
    @(await app.middleware())
    def view():
        return 1

    @await app.register
    class Model:
        pass
    return view, Model
