# Conditional expressions are never dropped, not even by 3.7.
def pick():
    return (await fast()) if 0 else slow()
