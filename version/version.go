package version

import "errors"

// ErrMalformed is returned by Parse for anything that is not exactly
// "HTTP/" DIGIT "." DIGIT. It is a syntax error (400), never a 505: a
// server cannot say it does not support a version it cannot read.
var ErrMalformed = errors.New("version: malformed HTTP-version")

// Version is an HTTP protocol version, such as 1.1.
type Version struct {
	Major uint8
	Minor uint8
}

// The versions a caller names most.
var (
	HTTP10 = Version{Major: 1, Minor: 0}
	HTTP11 = Version{Major: 1, Minor: 1}
)

// Parse reads an HTTP-version token:
//
//	HTTP-version = HTTP-name "/" DIGIT "." DIGIT
//	HTTP-name    = %s"HTTP"   ; case-sensitive
//
// (RFC 9112 §2.3). It accepts exactly eight bytes and returns ErrMalformed
// for anything else.
func Parse(b []byte) (Version, error) {
	if len(b) != 8 || b[0] != 'H' || b[1] != 'T' || b[2] != 'T' || b[3] != 'P' ||
		b[4] != '/' || b[6] != '.' || !isDigit(b[5]) || !isDigit(b[7]) {
		return Version{}, ErrMalformed
	}
	return Version{Major: b[5] - '0', Minor: b[7] - '0'}, nil
}

// Supported reports whether the server can serve a request of version v:
// any HTTP/1.x. Another major version is answered with 505.
func (v Version) Supported() bool { return v.Major == 1 }

// AtLeast reports whether v is at least major.minor.
func (v Version) AtLeast(major, minor uint8) bool {
	return v.Major > major || (v.Major == major && v.Minor >= minor)
}

// String returns the wire form, such as "HTTP/1.1".
func (v Version) String() string {
	return string(v.Append(make([]byte, 0, 8)))
}

// Append appends the wire form of v to dst without allocating.
func (v Version) Append(dst []byte) []byte {
	return append(dst, 'H', 'T', 'T', 'P', '/', '0'+v.Major, '.', '0'+v.Minor)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
