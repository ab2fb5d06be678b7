# Without the future import, a local variable annotation is never compiled (3.7+).
def handler(request):
    body: await request.kind()
    self_attr: await request.other() = 1
    return request
