package gateway

import (
	"net"
	"net/http"
	"net/textproto"
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
// Connection field named (connOpts, as connectionOptions returns them).
func isHopByHop(name string, connOpts []string) bool {
	for _, h := range hopByHop {
		if strings.EqualFold(name, h) {
			return true
		}
	}
	for _, o := range connOpts {
		if strings.EqualFold(name, o) {
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

// upstreamHeader returns the fields to send upstream for c's request: the
// client's end-to-end fields, then Via, X-Forwarded-For, -Proto and -Host
// and, if asked, Forwarded. Host, Content-Length and Expect are left out:
// the Transport writes Host from the request and frames the body itself,
// and the engine has already answered any 100-continue.
func (h *Handler) upstreamHeader(c *engine.Context) http.Header {
	req := c.Request()
	var connValues []string
	for _, f := range req.Fields {
		if strings.EqualFold(string(f.Name), "Connection") || strings.EqualFold(string(f.Name), "Proxy-Connection") {
			connValues = append(connValues, string(f.Value))
		}
	}
	connOpts := connectionOptions(connValues)
	hdr := make(http.Header, len(req.Fields)+4)
	for _, f := range req.Fields {
		name := string(f.Name)
		switch {
		case isHopByHop(name, connOpts),
			strings.EqualFold(name, "Host"),
			strings.EqualFold(name, "Content-Length"),
			strings.EqualFold(name, "Expect"):
			continue
		}
		key := textproto.CanonicalMIMEHeaderKey(name)
		hdr[key] = append(hdr[key], string(f.Value))
	}
	client := clientIP(c.RemoteAddr())
	appendList(hdr, "Via", receivedProtocol(int(c.Version().Major), int(c.Version().Minor))+" "+h.opts.Pseudonym)
	appendList(hdr, "X-Forwarded-For", client)
	hdr["X-Forwarded-Proto"] = []string{"http"}
	if req.Host != nil {
		hdr["X-Forwarded-Host"] = []string{string(req.Host)}
	} else {
		delete(hdr, "X-Forwarded-Host")
	}
	if h.opts.Forwarded {
		appendList(hdr, "Forwarded", forwardedElement(client, req.Host))
	}
	if _, ok := hdr["User-Agent"]; !ok {
		// An empty value keeps the Transport from adding its own.
		hdr["User-Agent"] = []string{""}
	}
	return hdr
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
			if err := c.SetHeader(key, v); err != nil {
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

// appendList adds item to the comma-separated list field key, after any
// values the message already had, joined into one line.
func appendList(hdr http.Header, key, item string) {
	if prior := strings.Join(hdr[key], ", "); prior != "" {
		item = prior + ", " + item
	}
	hdr[key] = []string{item}
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
