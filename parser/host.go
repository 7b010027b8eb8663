package parser

import "bytes"

// A host with an optional port is read by one rule, isHostPort, wherever
// it appears: the Host field (RFC 9112 §3.2: a Host value that is not one
// is answered 400), the authority of an absolute-form request-target and
// CONNECT's authority-form. The rule is RFC 3986's grammar (§3.2.2,
// §3.2.3), as RFC 9110 §4.1 and §7.2 take it:
//
//	uri-host    = IP-literal / IPv4address / reg-name
//	port        = *DIGIT
//	IP-literal  = "[" ( IPv6address / IPvFuture ) "]"
//	IPvFuture   = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
//	reg-name    = *( unreserved / pct-encoded / sub-delims )
//	pct-encoded = "%" HEXDIG HEXDIG
//
// How it reads the grammar, case by case:
//   - A reg-name may hold sub-delims ("a,b", "a;b=c") and pct-encoded
//     octets ("ho%41st", "%C3%A9"); a "%" not followed by two hex digits
//     ("ho%st") is not a reg-name. An IPv4address is also a reg-name, so
//     "1.2.3.4" and "999.1.1.1" are both hosts: the syntax cannot tell a
//     bad address from a name.
//   - A reg-name holds no ":", so a bare IPv6 address ("::1") is not a
//     host, and a second colon ("host:80:80") is not a port.
//   - An IP-literal is closed by its "]" and followed by nothing but a
//     port: "[::1" and "[::1]x" are not hosts. Inside the brackets is an
//     IPv6address, checked piece by piece, or an IPvFuture ("[v1.x]").
//     A zone identifier (RFC 6874, "[fe80::1%25eth0]") is not part of
//     RFC 3986's grammar, and names an interface of the sender's host
//     that means nothing here: it is refused.
//   - The port is digits only and may be empty ("host:", RFC 3986 §3.2.3
//     allows it; the scheme's default applies). Its value is not bounded
//     by the syntax.
//   - RFC 3986 allows an empty reg-name, but RFC 9110 §4.2.1 requires an
//     "http" URI with an empty host to be rejected, and a Host value names
//     the target URI's authority (RFC 9110 §7.2): so ":80" and "" are not
//     hosts. (An empty Host field is a different thing, an authority that
//     is absent, and RFC 9112 §3.2 makes the client send it; the Host
//     field's caller accepts it before asking this rule.)

// regNameTable holds the bytes of a reg-name but the "%" that begins a
// pct-encoded octet (RFC 3986 §2.2, §2.3):
//
//	unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
//	sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
var regNameTable = makeTable(func(c byte) bool {
	return isAlpha(c) || isDigit(c) || contains("-._~!$&'()*+,;=", c)
})

// isHostPort reports whether a is uri-host [ ":" port ], with a host that
// is not empty and, when needPort is set (authority-form, RFC 9112
// §3.2.3), a port of at least one digit. See the grammar above.
func isHostPort(a []byte, needPort bool) bool {
	n := hostLen(a)
	if n == 0 {
		return false
	}
	rest := a[n:]
	if len(rest) == 0 {
		return !needPort
	}
	if rest[0] != ':' || (needPort && len(rest) == 1) {
		return false
	}
	for _, c := range rest[1:] {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// hostLen returns the length of the uri-host at the front of a: an
// IP-literal, or the longest reg-name. It returns 0 when there is none,
// or when a starts with a "[" that does not open a valid IP-literal.
func hostLen(a []byte) int {
	if len(a) > 0 && a[0] == '[' {
		end := bytes.IndexByte(a, ']')
		if end < 0 || !isIPLiteral(a[1:end]) {
			return 0
		}
		return end + 1
	}
	// Most hosts are names without escapes: up to the first ":", every
	// byte a plain reg-name byte, checked eight at a time.
	end := bytes.IndexByte(a, ':')
	if end < 0 {
		end = len(a)
	}
	if isPlainRegName(a[:end]) {
		return end
	}
	i := 0
	for i < len(a) {
		switch c := a[i]; {
		case regNameTable[c]:
			i++
		case c == '%' && i+2 < len(a) && hexTable[a[i+1]] != notHex && hexTable[a[i+2]] != notHex:
			i += 3
		default:
			return i
		}
	}
	return i
}

// notRegNameTable is regNameTable inverted, as 0 or 1, for
// isPlainRegName to OR.
var notRegNameTable = func() (t [256]uint8) {
	for c, ok := range regNameTable {
		if !ok {
			t[c] = 1
		}
	}
	return t
}()

// isPlainRegName reports whether every byte of b is in regNameTable. Every
// request carries a Host, most of them such names: it ORs the verdicts of
// eight bytes at a time and branches once per word, not once per byte.
func isPlainRegName(b []byte) bool {
	var bad uint8
	for ; len(b) >= 8; b = b[8:] {
		bad |= notRegNameTable[b[0]] | notRegNameTable[b[1]] | notRegNameTable[b[2]] | notRegNameTable[b[3]] |
			notRegNameTable[b[4]] | notRegNameTable[b[5]] | notRegNameTable[b[6]] | notRegNameTable[b[7]]
	}
	for _, c := range b {
		bad |= notRegNameTable[c]
	}
	return bad == 0
}

// isIPLiteral reports whether b, the inside of an IP-literal's brackets,
// is an IPv6address or an IPvFuture. ABNF strings are case-insensitive,
// so IPvFuture's "v" may be "V".
func isIPLiteral(b []byte) bool {
	if len(b) > 0 && b[0]|0x20 == 'v' {
		return isIPvFuture(b[1:])
	}
	return isIPv6(b)
}

// isIPvFuture reports whether b is an IPvFuture after its "v":
//
//	1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
func isIPvFuture(b []byte) bool {
	i := 0
	for i < len(b) && hexTable[b[i]] != notHex {
		i++
	}
	if i == 0 || i+1 >= len(b) || b[i] != '.' {
		return false
	}
	for _, c := range b[i+1:] {
		if !regNameTable[c] && c != ':' {
			return false
		}
	}
	return true
}

// isIPv6 reports whether b is an IPv6address (RFC 3986 §3.2.2):
//
//	IPv6address =                            6( h16 ":" ) ls32
//	            /                       "::" 5( h16 ":" ) ls32
//	            / [               h16 ] "::" 4( h16 ":" ) ls32
//	            / [ *1( h16 ":" ) h16 ] "::" 3( h16 ":" ) ls32
//	            / [ *2( h16 ":" ) h16 ] "::" 2( h16 ":" ) ls32
//	            / [ *3( h16 ":" ) h16 ] "::"    h16 ":"   ls32
//	            / [ *4( h16 ":" ) h16 ] "::"              ls32
//	            / [ *5( h16 ":" ) h16 ] "::"              h16
//	            / [ *6( h16 ":" ) h16 ] "::"
//	h16         = 1*4HEXDIG
//	ls32        = ( h16 ":" h16 ) / IPv4address
//
// which comes to: eight pieces of 1 to 4 hex digits separated by ":", the
// last two of which may be written as one IPv4address; or fewer pieces,
// at most seven, with one "::" standing for the missing ones.
func isIPv6(b []byte) bool {
	pieces, elided := 0, false
	i := 0
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		elided, i = true, 2
	}
	for i < len(b) {
		j := i
		for j < len(b) && j-i < 5 && hexTable[b[j]] != notHex {
			j++
		}
		if j < len(b) && b[j] == '.' {
			// ls32 as an IPv4address: it must end the address.
			if !isIPv4(b[i:]) {
				return false
			}
			pieces += 2
			break
		}
		if j == i || j-i > 4 {
			return false
		}
		pieces++
		if j == len(b) {
			break
		}
		if b[j] != ':' || j+1 == len(b) {
			return false // not a separator, or a single ":" at the end
		}
		j++
		if b[j] == ':' {
			if elided {
				return false
			}
			elided = true
			j++
		}
		i = j
	}
	if elided {
		return pieces <= 7
	}
	return pieces == 8
}

// isIPv4 reports whether b is an IPv4address (RFC 3986 §3.2.2):
//
//	IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet
//	dec-octet   = DIGIT / %x31-39 DIGIT / "1" 2DIGIT / "2" %x30-34 DIGIT / "25" %x30-35
//
// that is, four numbers from 0 to 255 without leading zeros.
func isIPv4(b []byte) bool {
	for octet := 0; octet < 4; octet++ {
		if octet > 0 {
			if len(b) == 0 || b[0] != '.' {
				return false
			}
			b = b[1:]
		}
		n, v := 0, 0
		for n < len(b) && n < 3 && isDigit(b[n]) {
			v = v*10 + int(b[n]-'0')
			n++
		}
		if n == 0 || v > 255 || (n > 1 && b[0] == '0') {
			return false
		}
		b = b[n:]
	}
	return len(b) == 0
}
