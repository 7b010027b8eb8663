// Package version knows the HTTP protocol version: it parses the
// "HTTP/x.y" token of a request line strictly and says which versions the
// server supports.
//
// It depends on the standard library alone; errors/, parser/ and engine/
// import it.
package version
