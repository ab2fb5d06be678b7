# An f-string's replacement fields are compiled in the enclosing scope.
def greet(user):
    return f"hello {await user.name()}!"
