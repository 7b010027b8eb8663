package gateway

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// The answers to a failed upstream. The status of each is decided here;
// all are temporary (the status's default class), and the engine renders
// them. They are compared with errors.Is; copies made by WithRetryAfter
// still match.
var (
	// ErrRefused: the upstream refused the connection (RST to the SYN).
	ErrRefused = httperrors.New(httperrors.StatusBadGateway,
		"the upstream server refused the connection")
	// ErrUnreachable: a connect failed for another reason than a refusal
	// or a timeout (no route, reset during the handshake).
	ErrUnreachable = httperrors.New(httperrors.StatusBadGateway,
		"the upstream server could not be connected to")
	// ErrReset: the upstream reset the connection while the request was
	// sent or the response read.
	ErrReset = httperrors.New(httperrors.StatusBadGateway,
		"the upstream server reset the connection")
	// ErrClosed: the upstream closed the connection before sending a
	// complete response head.
	ErrClosed = httperrors.New(httperrors.StatusBadGateway,
		"the upstream server closed the connection before sending a complete response")
	// ErrInvalidResponse: the upstream answered with a malformed status
	// line, malformed header fields or invalid message framing.
	ErrInvalidResponse = httperrors.New(httperrors.StatusBadGateway,
		"the upstream server sent an invalid HTTP response")
	// ErrUnknownHost: the upstream's host name does not exist (NXDOMAIN).
	ErrUnknownHost = httperrors.New(httperrors.StatusBadGateway,
		"the upstream server's host name does not exist")
	// ErrLookupFailed: the name lookup answered with a failure other than
	// "no such host" (a DNS server failure, a malformed answer).
	ErrLookupFailed = httperrors.New(httperrors.StatusBadGateway,
		"the upstream server's host name could not be looked up")

	// ErrLookupTimeout: the name lookup did not answer within DNSTimeout.
	ErrLookupTimeout = httperrors.New(httperrors.StatusGatewayTimeout,
		"the upstream server's name lookup did not answer in time")
	// ErrConnectTimeout: the upstream did not accept the connection within
	// ConnectTimeout.
	ErrConnectTimeout = httperrors.New(httperrors.StatusGatewayTimeout,
		"the upstream server did not accept a connection in time")
	// ErrResponseTimeout: the upstream did not send its response head, or
	// more of its body, within UpstreamTimeout.
	ErrResponseTimeout = httperrors.New(httperrors.StatusGatewayTimeout,
		"the upstream server did not send a response in time")

	// ErrAllUnhealthy: every upstream is marked unhealthy after failed
	// connects; Retry-After says when the first is tried again.
	ErrAllUnhealthy = httperrors.New(httperrors.StatusServiceUnavailable,
		"every upstream server is unavailable after failed connection attempts")
	// ErrPoolFull: every connection slot to the chosen upstream was in use
	// for longer than PoolWait.
	ErrPoolFull = httperrors.New(httperrors.StatusServiceUnavailable,
		"every connection to the upstream server is in use")
)

// errClientGone ends a request whose client went away. Nobody reads its
// response; it only stops the handler quietly.
var errClientGone = httperrors.New(httperrors.StatusBadRequest, "the client closed the connection")

// UpstreamError is the failure of one exchange with an upstream. It keeps
// the error net or net/http returned, for logs and errors.As, next to the
// answer chosen for it: errors.As(err, **errors.Error) finds Reply, which
// is what the engine renders, and errors.Is(err, syscall.ECONNREFUSED)
// still sees the network's own error.
type UpstreamError struct {
	// Upstream is the upstream's host:port.
	Upstream string
	// Reply is the sentinel the client is answered with: ErrRefused,
	// ErrResponseTimeout, ...
	Reply *httperrors.Error
	// Err is the error from net or net/http.
	Err error
}

// Error returns "gateway: upstream <host:port>: <reply detail>: <cause>".
func (e *UpstreamError) Error() string {
	return "gateway: upstream " + e.Upstream + ": " + e.Reply.Detail() + ": " + e.Err.Error()
}

// Unwrap returns Reply and Err, so that errors.Is and errors.As see both.
func (e *UpstreamError) Unwrap() []error { return []error{e.Reply, e.Err} }

// dialOp names the step of a dial that failed.
type dialOp uint8

const (
	opLookup dialOp = iota + 1
	opConnect
)

// dialError marks an error as coming from the gateway's own dial function,
// so that classify knows the request never reached the upstream and which
// step failed without reading the error's text.
type dialError struct {
	op  dialOp
	err error
}

func (e *dialError) Error() string {
	if e.op == opLookup {
		return "lookup: " + e.err.Error()
	}
	return "connect: " + e.err.Error()
}

func (e *dialError) Unwrap() error { return e.err }

// classify chooses the answer to err, an error from the Transport's
// RoundTrip, and reports whether the request never reached the upstream
// because the name lookup or connect failed: such an upstream is marked
// unhealthy, and the request may go to another one.
//
// net/http has no typed error for a malformed response: it returns
// fmt.Errorf text ("malformed HTTP response", "bad Content-Length") or
// unexported values (errServerClosedIdle for a connection closed before
// any byte of the response). Rather than match that text, the rest is
// told apart by whether the upstream sent anything (gotBytes, from an
// httptrace hook): once a connection is open, an upstream that sent
// nothing has closed it, and one that sent something sent an invalid
// response. The client's own disconnect is ruled out before classify is
// called.
func classify(err error, gotBytes bool) (reply *httperrors.Error, dialFailed bool) {
	var de *dialError
	if errors.As(err, &de) {
		return classifyDial(de), true
	}
	switch {
	case isTimeout(err):
		return ErrResponseTimeout, false
	case errors.Is(err, syscall.ECONNREFUSED):
		return ErrRefused, false
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return ErrReset, false
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ErrClosed, false
	case !gotBytes:
		return ErrClosed, false
	}
	return ErrInvalidResponse, false
}

// classifyDial chooses the answer to a failed name lookup or connect.
func classifyDial(de *dialError) *httperrors.Error {
	if de.op == opLookup {
		var dnsErr *net.DNSError
		switch {
		case isTimeout(de.err):
			return ErrLookupTimeout
		case errors.As(de.err, &dnsErr) && dnsErr.IsNotFound:
			return ErrUnknownHost
		}
		return ErrLookupFailed
	}
	switch {
	case isTimeout(de.err):
		return ErrConnectTimeout
	case errors.Is(de.err, syscall.ECONNREFUSED):
		return ErrRefused
	}
	return ErrUnreachable
}

// isTimeout reports whether err is a deadline that passed: a context's,
// a socket's, or a net.Error (net.DNSError included) that says so.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
