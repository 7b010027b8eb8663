package engine

import (
	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// OverloadPolicy says what happens to a connection past MaxConns.
type OverloadPolicy uint8

const (
	// Refuse closes the connection at once, before reading anything (RFC
	// 9110 §15.6.4: a server may simply refuse the connection).
	Refuse OverloadPolicy = iota
	// Respond503 writes a pre-rendered 503 with Retry-After, then closes.
	Respond503
)

// errOverConnLimit answers a connection past MaxConns under Respond503.
var errOverConnLimit = httperrors.NewClosing(httperrors.StatusServiceUnavailable,
	"the server has too many open connections")
