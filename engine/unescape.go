package engine

// unhex returns the value of the hex digit c, and false for any other byte.
func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// unescapeAt decodes the escape "%XX" at p[i], reporting false when p[i]
// does not start one. The parser refuses a target with a '%' not followed
// by two hex digits, so a false here is a byte taken as it is.
func unescapeAt(p []byte, i int) (byte, bool) {
	if p[i] != '%' || i+2 >= len(p) {
		return 0, false
	}
	hi, ok1 := unhex(p[i+1])
	lo, ok2 := unhex(p[i+2])
	return hi<<4 | lo, ok1 && ok2
}

// appendUnescaped appends p to dst with every %XX escape decoded, and
// '+' read as a space when plusIsSpace (form values).
func appendUnescaped(dst, p []byte, plusIsSpace bool) []byte {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '%':
			if b, ok := unescapeAt(p, i); ok {
				dst = append(dst, b)
				i += 2
				continue
			}
		case c == '+' && plusIsSpace:
			c = ' '
		}
		dst = append(dst, c)
	}
	return dst
}

// equalUnescaped reports whether the query argument name raw, decoded as
// a form value is (%XX escapes, '+' as a space), equals name; it decodes
// as it compares, so it allocates nothing.
func equalUnescaped(raw []byte, name string) bool {
	j := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case '%':
			if b, ok := unescapeAt(raw, i); ok {
				c = b
				i += 2
			}
		case '+':
			c = ' '
		}
		if j >= len(name) || name[j] != c {
			return false
		}
		j++
	}
	return j == len(name)
}
