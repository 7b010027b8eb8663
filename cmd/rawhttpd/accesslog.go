package main

import (
	"net"
	"net/netip"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/rawhttpd/rawhttpd/engine"
)

// Access-log formats, the values of -log-format.
const (
	formatText     = "text"     // key=value pairs, as log/slog's TextHandler writes them
	formatJSON     = "json"     // one JSON object a line, as log/slog's JSONHandler writes them
	formatCombined = "combined" // Apache's and nginx's combined format, plus the duration
)

// accessLog writes one line per response in the format -log-format names,
// formatting it itself from engine.Access: through log/slog a line cost
// several allocations, this costs none (BenchmarkAccessLine). Every
// format carries time, remote address, method, target, protocol, status,
// bytes, duration, Host, user agent and referer; request bytes are
// escaped, never written raw.
type accessLog struct {
	out    *logFile
	format string
	// line is the scratch buffer each line is built in; out.mu guards it.
	line []byte
}

// log writes the line for a.
func (l *accessLog) log(a engine.Access) {
	l.out.mu.Lock()
	defer l.out.mu.Unlock()
	switch l.format {
	case formatCombined:
		l.line = appendCombined(l.line[:0], &a)
	case formatJSON:
		l.line = appendJSONLine(l.line[:0], &a)
	default:
		l.line = appendTextLine(l.line[:0], &a)
	}
	_, _ = l.out.writeLocked(l.line)
}

// timeLayout is the time of the text and JSON lines: RFC 3339 with
// milliseconds, as log/slog writes it.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// appendTextLine appends a's line in the text format:
//
//	time=2026-01-02T15:04:05.000Z level=INFO msg=request method=GET target=/ proto=HTTP/1.1 status=200 bytes=151 duration=0.000042 host=example.com user_agent="curl/8.5.0" referer="" remote=192.0.2.1:53211
//
// A value is quoted, Go-style, when it is empty or holds a space, '=',
// '"' or a byte that is not printable UTF-8, as log/slog does.
func appendTextLine(b []byte, a *engine.Access) []byte {
	b = append(b, "time="...)
	b = a.Start.AppendFormat(b, timeLayout)
	b = append(b, " level=INFO msg=request method="...)
	b = appendTextValue(b, a.Method)
	b = append(b, " target="...)
	b = appendTextValue(b, a.Target)
	b = append(b, " proto="...)
	if a.Version.Major == 0 {
		b = append(b, `""`...)
	} else {
		b = a.Version.Append(b)
	}
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(a.Status), 10)
	b = append(b, " bytes="...)
	b = strconv.AppendInt(b, int64(a.Bytes), 10)
	b = append(b, " duration="...)
	b = appendSeconds(b, a.Duration, 6)
	b = append(b, " host="...)
	b = appendTextValue(b, a.Host)
	b = append(b, " user_agent="...)
	b = appendTextValue(b, a.UserAgent)
	b = append(b, " referer="...)
	b = appendTextValue(b, a.Referer)
	b = append(b, " remote="...)
	b = appendRemote(b, a.Remote, true)
	return append(b, '\n')
}

// appendJSONLine appends a's line in the JSON format: the text format's
// keys, duration in seconds, status and bytes as numbers.
func appendJSONLine(b []byte, a *engine.Access) []byte {
	b = append(b, `{"time":"`...)
	b = a.Start.AppendFormat(b, timeLayout)
	b = append(b, `","level":"INFO","msg":"request","method":`...)
	b = appendJSONString(b, a.Method)
	b = append(b, `,"target":`...)
	b = appendJSONString(b, a.Target)
	b = append(b, `,"proto":"`...)
	if a.Version.Major != 0 {
		b = a.Version.Append(b)
	}
	b = append(b, '"')
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(a.Status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, int64(a.Bytes), 10)
	b = append(b, `,"duration":`...)
	b = appendSeconds(b, a.Duration, 6)
	b = append(b, `,"host":`...)
	b = appendJSONString(b, a.Host)
	b = append(b, `,"user_agent":`...)
	b = appendJSONString(b, a.UserAgent)
	b = append(b, `,"referer":`...)
	b = appendJSONString(b, a.Referer)
	b = append(b, `,"remote":"`...)
	b = appendRemote(b, a.Remote, true)
	return append(b, "\"}\n"...)
}

// appendCombined appends a's line in the combined log format of Apache
// and nginx, followed by the duration in seconds with millisecond
// resolution, as nginx's $request_time:
//
//	%h - - [%d/%b/%Y:%H:%M:%S %z] "%r" %>s %b "%{Referer}i" "%{User-agent}i" request_time
//
// %b counts the response bytes head included (Apache's %O, nginx's
// $bytes_sent): the engine knows no other total. Inside quotes '"', '\'
// and bytes that are not printable ASCII are written \xHH, as nginx does;
// an absent field, or request line, is "-".
func appendCombined(b []byte, a *engine.Access) []byte {
	b = appendRemote(b, a.Remote, false)
	b = append(b, " - - ["...)
	b = a.Start.AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	b = append(b, `] "`...)
	if len(a.Method) == 0 {
		b = append(b, '-')
	} else {
		b = appendCombinedEscaped(b, a.Method)
		b = append(b, ' ')
		b = appendCombinedEscaped(b, a.Target)
		if a.Version.Major != 0 {
			b = append(b, ' ')
			b = a.Version.Append(b)
		}
	}
	b = append(b, `" `...)
	b = strconv.AppendInt(b, int64(a.Status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(a.Bytes), 10)
	b = append(b, ` "`...)
	b = appendCombinedField(b, a.Referer)
	b = append(b, `" "`...)
	b = appendCombinedField(b, a.UserAgent)
	b = append(b, `" `...)
	b = appendSeconds(b, a.Duration, 3)
	return append(b, '\n')
}

// appendSeconds appends d in seconds with prec decimals.
func appendSeconds(b []byte, d time.Duration, prec int) []byte {
	return strconv.AppendFloat(b, d.Seconds(), 'f', prec, 64)
}

// appendRemote appends the client's address: IP and port, or the IP
// alone for the combined format's %h. A Unix-socket peer has no address
// and is written "-".
func appendRemote(b []byte, addr net.Addr, withPort bool) []byte {
	switch a := addr.(type) {
	case *net.TCPAddr:
		ap := a.AddrPort()
		ip := ap.Addr().Unmap()
		if withPort {
			return netip.AddrPortFrom(ip, ap.Port()).AppendTo(b)
		}
		return ip.AppendTo(b)
	case nil:
		return append(b, '-')
	}
	if s := addr.String(); s != "" && s != "@" {
		return appendCombinedEscaped(b, []byte(s))
	}
	return append(b, '-')
}

// appendTextValue appends v as log/slog's TextHandler would: bare when it
// is a non-empty run of printable characters without space, '=' or '"',
// Go-quoted otherwise.
func appendTextValue(b, v []byte) []byte {
	if !needsQuoting(v) {
		return append(b, v...)
	}
	return strconv.AppendQuote(b, string(v))
}

// needsQuoting reports whether v must be quoted in the text format.
func needsQuoting(v []byte) bool {
	if len(v) == 0 {
		return true
	}
	for _, c := range v {
		if c <= ' ' || c == '=' || c == '"' || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// hexDigits are the digits of \xHH and \u00HH escapes.
const hexDigits = "0123456789abcdef"

// appendJSONString appends v as a JSON string (RFC 8259 §7): '"', '\' and
// control bytes escaped, bytes that are not valid UTF-8 replaced by
// U+FFFD.
func appendJSONString(b, v []byte) []byte {
	b = append(b, '"')
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < ' ':
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(v[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, v[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// appendCombinedField appends a quoted field of the combined format, or
// "-" when it is absent or empty.
func appendCombinedField(b, v []byte) []byte {
	if len(v) == 0 {
		return append(b, '-')
	}
	return appendCombinedEscaped(b, v)
}

// appendCombinedEscaped appends v with '"', '\' and bytes outside
// printable ASCII written \xHH, so that a line stays one line and its
// quotes delimit its fields.
func appendCombinedEscaped(b, v []byte) []byte {
	for _, c := range v {
		if c < ' ' || c >= 0x7f || c == '"' || c == '\\' {
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			continue
		}
		b = append(b, c)
	}
	return b
}
