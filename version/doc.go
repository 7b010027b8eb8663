// Package version knows the HTTP protocol version: it parses the
// "HTTP/x.y" token of a request line strictly, says which versions the
// server supports, which version a response carries, and what a 505
// response explains.
//
// It depends on the standard library alone; errors/, parser/ and engine/
// import it.
package version
