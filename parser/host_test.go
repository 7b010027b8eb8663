package parser

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// hostRows are uri-host [ ":" port ] values and whether RFC 3986's grammar
// makes them one, as host.go reads it. None holds "/", "?" or "#", which
// would end an absolute-form authority early, so each row means the same
// in a Host field and in a target.
var hostRows = []struct {
	value string
	ok    bool
}{
	{"host", true},
	{"host:80", true},
	{"host:", true}, // an empty port: the scheme's default
	{"1.2.3.4:8080", true},
	{"[::1]:80", true},
	{"[v1.x]", true},
	{"[V7.a:b!]", true}, // ABNF strings ignore case; IPvFuture takes sub-delims and ":"
	{"localhost", true},
	{"a.example:8080", true},
	{"a.example:0080", true},
	{"_srv.a-b.example~", true},
	{"a,b;c=d!$&'()*+", true}, // sub-delims
	{"ho%41st", true},         // pct-encoded
	{"%C3%A9.example", true},
	{"999.1.1.1", true}, // not an IPv4address, but a reg-name
	{"[::]", true},
	{"[1::]", true},
	{"[::ffff:1.2.3.4]", true},
	{"[1:2:3:4:5:6:7:8]", true},
	{"[2001:DB8::1]:65535", true},
	{"[fe80::1]:", true},

	{"localhost:abc", false},
	{"[::1", false},
	{"::1", false},
	{"a b", false},
	{"host:80:80", false},
	{"[::1]x", false},
	{"[::1]:80:80", false},
	{"[::1]:x", false},
	{"[::1]]", false},
	{"[[::1]]", false},
	{"ho%st", false}, // "%" HEXDIG HEXDIG, and s, t are not hex digits
	{"ho%4", false},
	{"ho%", false},
	{":80", false}, // an empty host: RFC 9110 §4.2.1
	{":", false},
	{"[]", false},
	{"[1.2.3.4]", false}, // an IP-literal is IPv6 or IPvFuture
	{"[fe80::1%25eth0]", false},
	{"[v1]", false},
	{"[v.x]", false},
	{"[vx.y]", false},
	{"[v1.]", false},
	{"[v1.x/]", false},
	{"[1:2:3:4:5:6:7:8:9]", false},
	{"[1::2::3]", false},
	{"[12345::]", false},
	{"[::1.2.3.04]", false},
	{"u@host", false},
	{"host:+80", false},
	{"host:-1", false},
	{"h\xc3\xb3st", false},
	{"\"quoted\"", false},
	{"a<b>", false},
	{"a\\b", false},
}

func TestIsHostPort(t *testing.T) {
	for _, tt := range hostRows {
		assert.Equal(t, tt.ok, isHostPort([]byte(tt.value), false), "%q", tt.value)
	}
}

// TestIsHostPortEveryByte puts each byte value in a name, a port and an
// IPvFuture literal.
func TestIsHostPortEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		b := string([]byte{byte(c)})
		assert.Equal(t, regNameTable[c], isHostPort([]byte("a"+b+"b"), false), "name, byte %#x", c)
		assert.Equal(t, c >= '0' && c <= '9', isHostPort([]byte("a:1"+b), false), "port, byte %#x", c)
		assert.Equal(t, regNameTable[c] || c == ':', isHostPort([]byte("[v1."+b+"]"), false), "IPvFuture, byte %#x", c)
	}
	for _, c := range []byte("-._~!$&'()*+,;=") {
		assert.True(t, regNameTable[c], "%q", c)
	}
	assert.False(t, regNameTable['%'], "an escape is checked by hostLen, not the table")
}

// TestHostRuleIsOneForFieldAndTarget sends every row as a Host field, as
// the authority of an absolute-form target and, with a port, as CONNECT's
// authority-form, and requires the verdict of the one rule each time: the
// Host field's refusal is ErrBadHost; a target's is a 400.
func TestHostRuleIsOneForFieldAndTarget(t *testing.T) {
	for _, tt := range hostRows {
		t.Run(tt.value, func(t *testing.T) {
			_, _, err := mustParse(t, Config{}, "GET / HTTP/1.1\r\nHost: "+tt.value+"\r\n\r\n")
			if tt.ok {
				assert.NoError(t, err, "Host field")
			} else {
				assert.ErrorIs(t, err, ErrBadHost, "Host field")
			}

			_, _, err = mustParse(t, Config{}, "GET http://"+tt.value+"/x HTTP/1.1\r\nHost: a\r\n\r\n")
			if tt.ok {
				assert.NoError(t, err, "absolute-form")
			} else {
				require.Error(t, err, "absolute-form")
				assert.Equal(t, httperrors.StatusBadRequest, httperrors.From(err).Status(), "absolute-form")
			}

			_, _, err = mustParse(t, Config{}, "CONNECT "+tt.value+" HTTP/1.1\r\nHost: a\r\n\r\n")
			if tt.ok && hasDigitPort(tt.value) {
				assert.NoError(t, err, "authority-form")
			} else {
				require.Error(t, err, "authority-form")
				assert.Equal(t, httperrors.StatusBadRequest, httperrors.From(err).Status(), "authority-form")
			}
		})
	}
}

// hasDigitPort reports whether the valid host value v ends with a port of
// at least one digit, as authority-form requires.
func hasDigitPort(v string) bool {
	i := strings.LastIndexByte(v, ':')
	if i < 0 || i == len(v)-1 || i < strings.LastIndexByte(v, ']') {
		return false
	}
	return strings.Trim(v[i+1:], "0123456789") == ""
}

// TestIsIPv6AgreesWithNetip compares isIPv6 with net/netip's parser, which
// follows the same RFC 4291 text form, on hand-picked addresses and on
// random strings of the bytes addresses are made of. netip also reads
// zones ("%eth0") and plain IPv4, which are not IPv6address: those count
// as not IPv6.
func TestIsIPv6AgreesWithNetip(t *testing.T) {
	isIPv6Addr := func(s string) bool {
		a, err := netip.ParseAddr(s)
		return err == nil && a.Is6() && a.Zone() == ""
	}
	cases := []string{
		"::", "::1", "1::", "1::1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
		"1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
		"::1.2.3.4", "1::1.2.3.4", "::ffff:255.255.255.255", "::ffff:256.1.1.1", "::1.2.3", "::1.2.3.4.5",
		"::01.2.3.4", "::0.0.0.0", "1.2.3.4", "1.2.3.4::", ":1", "1:", ":::", "1:::2", "1::2::3",
		"12345::", "abcd:ef01::", "ABCD::EF01", "g::", "1:2:3:4:5:6:7", "", ":", "fe80::1%eth0",
		"::1.2.3.4:5", "0:0:0:0:0:0:0:0", "0000:0000::0000",
	}
	for _, s := range cases {
		assert.Equal(t, isIPv6Addr(s), isIPv6([]byte(s)), "%q", s)
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789abcdefABCDEFg:.::"
	for range 200000 {
		b := make([]byte, r.IntN(24))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		require.Equal(t, isIPv6Addr(string(b)), isIPv6(b), "%q", b)
	}
}

// BenchmarkIsHostPort measures the Host rule on the values most requests
// carry; it runs once per request.
func BenchmarkIsHostPort(b *testing.B) {
	for _, v := range []string{"localhost:8080", "www.example.com", "[2001:db8::1]:8080"} {
		b.Run("in="+v, func(b *testing.B) {
			host := []byte(v)
			b.ReportAllocs()
			for b.Loop() {
				if !isHostPort(host, false) {
					b.Fatal("refused")
				}
			}
		})
	}
}
