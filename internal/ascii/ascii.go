// Package ascii compares the case-insensitive ASCII tokens of HTTP
// (field names, methods, coding and parameter names) without allocating
// and without the Unicode folding of strings.EqualFold, which HTTP's
// grammar does not have.
package ascii

// EqualFold reports whether a and b are the same bytes but for the case
// of ASCII letters. Only A-Z and a-z fold: a byte outside them must match
// exactly.
func EqualFold[S ~string | ~[]byte, T ~string | ~[]byte](a S, b T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if x, y := a[i], b[i]; x != y && Lower(x) != Lower(y) {
			return false
		}
	}
	return true
}

// Lower returns b with an ASCII capital letter made small.
func Lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
