// Package files serves the files of one directory over HTTP: an
// engine.Handler with an open-file cache that answers most requests on the
// event loop.
//
// # The life of a file request
//
// Serve runs on the event loop. It refuses a method other than GET and
// HEAD (405 with Allow), then turns the request path into the cache's key
// (path.go): percent-decoded, empty segments merged, and refused with 404
// when a segment is "." or "..", holds an encoded "/" or a NUL, or starts
// with "." while dotfiles are off. A key the cache holds is answered at
// once from memory: the response fields were rendered when the file was
// read, so a hit, its 304 and its HEAD allocate nothing. For a file larger
// than CacheMaxFile the cache keeps the fields alone: its HEAD, 304, 412
// and 416 are answered on the loop too, and while the cache holds the
// file open (up to 1024 such files) its content too: the loop sends it
// with Context.SendFileInline (sendfile(2) straight from the open file),
// and a worker finishes only what a full socket did not take, or the
// whole of it when the client's earlier responses are still buffered. Once a
// second per file, the first request to find the entry older than that
// goes to the worker pool instead, which stats the file and keeps,
// replaces or drops the entry; the other requests meanwhile go on being
// served from memory.
//
// Everything else runs on the worker pool (engine.Blocking): a miss, a
// directory (index.html, a redirect to the path with a trailing slash, or
// a listing when Browse is on), and files larger than CacheMaxFile that
// the cache does not hold open, which are sent with Context.SendFile (sendfile(2), no copy through memory), so
// that a client that does not read holds a worker, never memory. Files are opened through an os.Root: no path and no symbolic
// link reaches outside the directory, and one that tries is answered 403.
//
// Preconditions (If-Match, If-Unmodified-Since: 412; If-None-Match,
// If-Modified-Since: 304) and a single byte range (206, or 416 with
// Content-Range when it cannot be satisfied; If-Range honoured) are
// decided by one function for cached and streamed files alike
// (conditional.go). A request for several ranges gets the whole file (200),
// which RFC 9110 §14.2 allows. Every refusal is an *errors.Error, rendered
// by the engine as text or problem+json as the request's Accept prefers.
//
// The package leaves compression, caching headers such as Cache-Control,
// and virtual hosts to others. cmd/rawhttpd imports it for its files mode.
package files
