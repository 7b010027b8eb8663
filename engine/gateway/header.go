package gateway

import (
	"bytes"
	"net"
	"net/http"
	"strings"

	"github.com/rawhttpd/rawhttpd/engine"
)

// hopByHop are the fields that describe one connection rather than the
// message (RFC 9110 §7.6.1, RFC 9112 §6.1 and §7.3), so a gateway removes
// them in both directions. Proxy-Connection is not standard but is still
// sent by old clients with the same meaning as Connection.
var hopByHop = []string{
	"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
	"Transfer-Encoding", "Upgrade", "Proxy-Authorization", "Proxy-Authenticate",
}

// isHopByHop reports whether name is a hop-by-hop field, or one that a
// Connection field named (connOpts, as connectionOptions or
// appendConnectionOptions return them). It takes the upstream response's
// strings and the client request's bytes alike.
func isHopByHop[S ~string | ~[]byte](name S, connOpts []S) bool {
	for _, h := range hopByHop {
		if strings.EqualFold(string(name), h) {
			return true
		}
	}
	for _, o := range connOpts {
		if strings.EqualFold(string(name), string(o)) {
			return true
		}
	}
	return false
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
