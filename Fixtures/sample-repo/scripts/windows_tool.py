# Written on Windows: CRLF line endings and a tab-indented body.
def crlf_function(a,
                  b):
	return a + \
		b

def \
    continued_name():
	pass
