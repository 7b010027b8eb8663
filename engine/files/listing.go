package files

import (
	"html"
	"net/url"
	"slices"
	"strings"

	"github.com/rawhttpd/rawhttpd/engine"
)

// list answers with an HTML page that links every entry of the directory
// name, asked for as key; dotfiles are left out unless they are served.
// A listing is never cached and has no validators: it changes with
// every file added.
func (h *Handler) list(c *engine.Context, key, name string, head bool) error {
	d, err := h.root.Open(name)
	if err != nil {
		return statusOf(err)
	}
	defer d.Close()
	entries, err := d.ReadDir(-1)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") && !h.opts.Dotfiles {
			continue
		}
		if e.IsDir() {
			n += "/"
		}
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	title := html.EscapeString(key)
	b.WriteString("<!doctype html>\n<meta charset=\"utf-8\">\n<title>Index of " + title + "</title>\n<h1>Index of " + title + "</h1>\n<ul>\n")
	for _, n := range names {
		// "./" keeps a name with a colon from reading as a scheme.
		href := "./" + url.PathEscape(strings.TrimSuffix(n, "/"))
		if strings.HasSuffix(n, "/") {
			href += "/"
		}
		b.WriteString(`<li><a href="` + html.EscapeString(href) + `">` + html.EscapeString(n) + "</a></li>\n")
	}
	b.WriteString("</ul>\n")
	if err := c.SetContentType("text/html; charset=utf-8"); err != nil {
		return err
	}
	if head {
		c.SetContentLength(int64(b.Len()))
		return nil
	}
	_, _ = c.WriteString(b.String())
	return nil
}
