package gateway

import (
	"bytes"
	"net"
	"net/http"
	"strings"

	"github.com/rawhttpd/rawhttpd/engine"
	"github.com/rawhttpd/rawhttpd/internal/ascii"
	"github.com/rawhttpd/rawhttpd/parser"
)

// isHopByHop reports whether name is a hop-by-hop field, or one that a
// Connection field named (connOpts, as connectionOptions or
// appendConnectionOptions return them). It takes the upstream response's
// strings and the client request's bytes alike.
func isHopByHop[S ~string | ~[]byte](name S, connOpts []S) bool {
	return nameOf(name).hopByHop() || namedIn(name, connOpts)
}

// namedIn reports whether name is one of opts, ignoring ASCII case.
func namedIn[S ~string | ~[]byte](name S, opts []S) bool {
	for _, o := range opts {
		if ascii.EqualFold(name, o) {
			return true
		}
	}
	return false
}

// fieldName is what a field's name means to the gateway, as nameOf tells
// it: the hop-by-hop fields, the fields it writes itself and those whose
// meaning the engine keeps; every other field is end-to-end.
type fieldName uint8

const (
	endToEndField   fieldName = iota
	connectionField           // Connection, or Proxy-Connection
	hopByHopField             // another of hopByHop, Trailer aside
	trailerField
	viaField
	xForwardedForField
	xForwardedProtoField
	xForwardedHostField
	forwardedField
	hostField
	contentLengthField
	dateField
	expectField
	userAgentField
)

// knownName is one name nameOf tells apart.
type knownName struct {
	name string
	kind fieldName
}

// knownByLength lists the names nameOf tells apart by their length, so
// that a name is compared with one or two of them at most.
var knownByLength = [...][]knownName{
	2:  {{"TE", hopByHopField}},
	3:  {{"Via", viaField}},
	4:  {{"Host", hostField}, {"Date", dateField}},
	6:  {{"Expect", expectField}},
	7:  {{"Trailer", trailerField}, {"Upgrade", hopByHopField}},
	9:  {{"Forwarded", forwardedField}},
	10: {{"Connection", connectionField}, {"Keep-Alive", hopByHopField}, {"User-Agent", userAgentField}},
	14: {{"Content-Length", contentLengthField}},
	15: {{"X-Forwarded-For", xForwardedForField}},
	16: {{"Proxy-Connection", connectionField}, {"X-Forwarded-Host", xForwardedHostField}},
	17: {{"Transfer-Encoding", hopByHopField}, {"X-Forwarded-Proto", xForwardedProtoField}},
	18: {{"Proxy-Authenticate", hopByHopField}},
	19: {{"Proxy-Authorization", hopByHopField}},
}

// nameOf returns what name means to the gateway, ignoring ASCII case: a
// field is looked at once, instead of compared with each name in turn.
func nameOf[S ~string | ~[]byte](name S) fieldName {
	if len(name) >= len(knownByLength) {
		return endToEndField
	}
	for _, k := range knownByLength[len(name)] {
		if ascii.EqualFold(name, k.name) {
			return k.kind
		}
	}
	return endToEndField
}

// hopByHop reports the fields that describe one connection rather than
// the message (RFC 9110 §7.6.1, RFC 9112 §6.1 and §7.3), so a gateway
// removes them in both directions: Connection, Keep-Alive,
// Proxy-Connection (not standard, but still sent by old clients with the
// meaning of Connection), TE, Trailer, Transfer-Encoding, Upgrade,
// Proxy-Authorization and Proxy-Authenticate.
func (n fieldName) hopByHop() bool {
	return n == connectionField || n == hopByHopField || n == trailerField
}

// added reports the client's fields that the gateway does not pass on as
// they are: those it writes itself, from the client's values (Via,
// X-Forwarded-For) or in their place (X-Forwarded-Proto and -Host), and,
// when forwarded is set (this hop writes one, or the client is not a
// trusted proxy), Forwarded.
func (n fieldName) added(forwarded bool) bool {
	switch n {
	case viaField, xForwardedForField, xForwardedProtoField, xForwardedHostField:
		return true
	}
	return forwarded && n == forwardedField
}

// connectionOptions returns the field names listed by Connection values
// (RFC 9110 §7.6.1: Connection = #connection-option), "close" and
// "keep-alive" included, which harms nothing.
func connectionOptions(values []string) []string {
	var opts []string
	for _, v := range values {
		for o := range strings.SplitSeq(v, ",") {
			if o = strings.TrimSpace(o); o != "" {
				opts = append(opts, o)
			}
		}
	}
	return opts
}

// appendConnectionFieldOptions appends to opts the field names listed by
// the Connection (or Proxy-Connection) fields among fields, sub-slices of
// their values, with appendConnectionOptions.
func appendConnectionFieldOptions(opts [][]byte, fields []parser.Field) [][]byte {
	for _, f := range fields {
		if nameOf(f.Name) == connectionField {
			opts = appendConnectionOptions(opts, f.Value)
		}
	}
	return opts
}

// appendConnectionOptions appends to opts the field names one Connection
// value lists, as connectionOptions does for strings; the options are
// sub-slices of value.
func appendConnectionOptions(opts [][]byte, value []byte) [][]byte {
	for o := range bytes.SplitSeq(value, []byte(",")) {
		if o = bytes.TrimSpace(o); len(o) > 0 {
			opts = append(opts, o)
		}
	}
	return opts
}

// copyResponseHeader sets the upstream response's end-to-end fields on c,
// adding this gateway to Via. The framing fields and Date are the
// engine's to write. It returns the first field the engine refused (a
// value with a control byte), which makes the response invalid.
func (h *Handler) copyResponseHeader(c *engine.Context, resp *http.Response) error {
	connOpts := connectionOptions(resp.Header["Connection"])
	for key, values := range resp.Header {
		switch {
		case isHopByHop(key, connOpts), key == "Content-Length", key == "Date", key == "Via":
			continue
		}
		for _, v := range values {
			if err := c.AddHeader(key, v); err != nil {
				return err
			}
		}
	}
	if string(c.Method()) == "HEAD" {
		// No body follows; keep the length the upstream declared for GET.
		c.SetContentLength(resp.ContentLength)
	}
	via := receivedProtocol(resp.ProtoMajor, resp.ProtoMinor) + " " + h.opts.Pseudonym
	if prior := strings.Join(resp.Header["Via"], ", "); prior != "" {
		via = prior + ", " + via
	}
	return c.SetHeader("Via", via)
}

// receivedProtocol is Via's received-protocol for a message of HTTP
// version major.minor (RFC 9110 §7.6.3): the protocol name is omitted for
// HTTP.
func receivedProtocol(major, minor int) string {
	if major == 1 && minor == 0 {
		return "1.0"
	}
	return "1.1"
}

// clientIP returns the IP of addr, or its whole text when it has no port.
func clientIP(addr net.Addr) string {
	if addr == nil {
		return "unknown"
	}
	s := addr.String()
	if host, _, err := net.SplitHostPort(s); err == nil {
		return host
	}
	return s
}

// forwardedElement is this hop's RFC 7239 forwarded-element. An IPv6
// node and any host are quoted-strings, since ':' and '[' are not token
// characters (§4, §6).
func forwardedElement(client string, host []byte) string {
	node := client
	if strings.Contains(client, ":") {
		node = `"[` + client + `]"`
	}
	e := "for=" + node
	if host != nil {
		e += `;host="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(string(host)) + `"`
	}
	return e + ";proto=http"
}
