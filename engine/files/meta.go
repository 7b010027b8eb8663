package files

import (
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"

	"github.com/rawhttpd/rawhttpd/engine"
	httperrors "github.com/rawhttpd/rawhttpd/errors"
)

// meta is what every response about one version of a file shares: its
// validators and its rendered fields. It is immutable once made, so the
// loops share a cached one without locks.
type meta struct {
	size int64
	// modSec is the modification time in Unix seconds, as precise as
	// Last-Modified and the dates of conditional requests.
	modSec int64
	// etag is the strong entity-tag, quotes included: the modification
	// time in nanoseconds and the size, in hex.
	etag string
	// contentType, lastModified and etagField are the rendered fields.
	contentType, lastModified, etagField engine.Field
	// errRange is the 416 for this size, with its Content-Range.
	errRange *httperrors.Error
}

// acceptRanges tells clients that byte ranges are served (RFC 9110
// §14.3).
var acceptRanges = engine.MustField("Accept-Ranges", "bytes")

// fallbackType is the Content-Type of a file whose type is not a valid
// field value.
var fallbackType = engine.MustField("Content-Type", "application/octet-stream")

// newMeta returns the meta of the file described by info, of media type
// contentType.
func newMeta(info fs.FileInfo, contentType string) *meta {
	mod := info.ModTime()
	size := info.Size()
	sizeHex := strconv.FormatInt(size, 16)
	m := &meta{
		size:     size,
		modSec:   mod.Unix(),
		etag:     `"` + strconv.FormatUint(uint64(mod.UnixNano()), 16) + "-" + sizeHex + `"`,
		errRange: newRangeError(strconv.FormatInt(size, 10)),
	}
	var err error
	if m.contentType, err = engine.NewField("Content-Type", contentType); err != nil {
		m.contentType = fallbackType
	}
	m.lastModified = engine.MustField("Last-Modified", mod.UTC().Format(http.TimeFormat))
	m.etagField = engine.MustField("ETag", m.etag)
	return m
}

// contentType returns the media type of the file name by its extension,
// or, when the extension is unknown, sniffed from its first bytes, as
// net/http's FileServer does.
func contentType(name string, first []byte) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return http.DetectContentType(first)
}

// knownType reports whether the extension of name gives its media type,
// so that no bytes need to be read to sniff it.
func knownType(name string) bool { return mime.TypeByExtension(path.Ext(name)) != "" }

// sniffLen is how many bytes http.DetectContentType looks at.
const sniffLen = 512

// addFields sets the status and fields of answer a.
func (m *meta) addFields(c *engine.Context, a answer) {
	if a.status == statusNotModified {
		// RFC 9110 §15.4.5: the validator, not the representation's
		// metadata.
		c.SetStatus(statusNotModified)
		c.AddField(m.etagField)
		return
	}
	c.SetStatus(a.status)
	c.AddField(m.contentType)
	c.AddField(m.lastModified)
	c.AddField(m.etagField)
	c.AddField(acceptRanges)
	if a.status == statusPartial {
		_ = c.SetHeader("Content-Range", "bytes "+strconv.FormatInt(a.from, 10)+"-"+
			strconv.FormatInt(a.to-1, 10)+"/"+strconv.FormatInt(m.size, 10))
	}
}

// fileID tells one version of a file from another: a change of content
// changes its size or modification time, a replacement its inode.
type fileID struct {
	size, modNano int64
	dev, ino      uint64
}

// idOf returns the identity of the file info describes.
func idOf(info fs.FileInfo) fileID {
	id := fileID{size: info.Size(), modNano: info.ModTime().UnixNano()}
	id.dev, id.ino = inodeOf(info)
	return id
}
