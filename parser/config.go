package parser

// The limits a zero Config stands for.
const (
	// DefaultMaxTargetBytes bounds the request-target (8 KiB, RFC 9112 §3
	// recommends supporting at least 8000 octets).
	DefaultMaxTargetBytes = 8 << 10
	// DefaultMaxHeaderBytes bounds the header section (32 KiB).
	DefaultMaxHeaderBytes = 32 << 10
	// DefaultMaxFields bounds the number of field lines (100).
	DefaultMaxFields = 100
	// DefaultMaxBodyBytes bounds the message body (4 MiB).
	DefaultMaxBodyBytes = 4 << 20
)

// Config holds the parser's limits. The zero value is the production
// default; a field that is zero or negative takes its default.
type Config struct {
	// MaxTargetBytes bounds the request-target. A longer target is answered
	// with 414 (ErrTargetTooLong). Default DefaultMaxTargetBytes.
	MaxTargetBytes int

	// MaxHeaderBytes bounds the header section: every field line with its
	// CRLF, not counting the request line or the final empty line. A larger
	// section is answered with 431 (ErrHeaderTooLarge) as soon as the limit
	// is passed. The same limit applies to a chunked body's trailer
	// section. Default DefaultMaxHeaderBytes.
	MaxHeaderBytes int

	// MaxFields bounds the number of field lines in the header section (and
	// in a trailer section). One more is answered with 431
	// (ErrTooManyFields). Default DefaultMaxFields.
	MaxFields int

	// MaxBodyBytes bounds the message body: the declared Content-Length, or
	// the decoded length of a chunked body. A larger body is answered with
	// 413 (ErrBodyTooLarge) without waiting for it. Default
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// Methods is the method registry; nil means an origin server's (the
	// RFC 9110 methods and PATCH, as NewMethods() holds). A gateway uses
	// GatewayMethods, the whole IANA HTTP Method Registry. A token method
	// that is not registered is answered with 501
	// (ErrMethodNotImplemented).
	Methods *Methods
}

// withDefaults returns c with every unset limit replaced by its default.
func (c Config) withDefaults() Config {
	if c.MaxTargetBytes <= 0 {
		c.MaxTargetBytes = DefaultMaxTargetBytes
	}
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if c.MaxFields <= 0 {
		c.MaxFields = DefaultMaxFields
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Methods == nil {
		c.Methods = defaultMethods
	}
	return c
}
