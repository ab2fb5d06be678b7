# 3.7 compiles the test of a conditional expression before its body and never lowers its
# current line, so the error is reported on the test's line.
def pick(y, z, w):
    x = (await y
         if z
         else w)
    return x
