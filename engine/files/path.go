package files

// appendKey appends to dst the cache key of the request path raw and
// returns it: raw percent-decoded (RFC 3986 §2.1), with empty segments
// merged and a trailing "/" kept, since it asks for a directory. The key
// always starts with "/".
//
// It refuses, with errNotFound, what no served file can be named by: a
// path that does not start with "/", a "." or ".." segment (clients
// resolve dot-segments before sending, RFC 3986 §5.2.4, so one that
// arrives is an attempt to climb; refusing it whole is simpler to trust
// than resolving it), a segment holding an encoded "/" or a NUL, and,
// unless dotfiles is set, a segment that starts with ".". A "%" not
// followed by two hex digits is errBadPath. It runs on the event loop for
// every request, so it allocates only when dst is too small.
func appendKey(dst, raw []byte, dotfiles bool) ([]byte, error) {
	if len(raw) == 0 || raw[0] != '/' {
		return dst, errNotFound
	}
	dst = append(dst, '/')
	for i := 1; i < len(raw); {
		end := i
		for end < len(raw) && raw[end] != '/' {
			end++
		}
		if end > i {
			start := len(dst)
			for k := i; k < end; k++ {
				b := raw[k]
				if b == '%' {
					if k+2 >= end {
						return dst, errBadPath
					}
					hi, lo := unhex(raw[k+1]), unhex(raw[k+2])
					if hi > 15 || lo > 15 {
						return dst, errBadPath
					}
					b = hi<<4 | lo
					k += 2
					if b == '/' || b == 0 {
						return dst, errNotFound
					}
				}
				dst = append(dst, b)
			}
			if seg := dst[start:]; seg[0] == '.' && (!dotfiles || isDotSegment(seg)) {
				return dst, errNotFound
			}
			if end < len(raw) {
				dst = append(dst, '/')
			}
		}
		i = end + 1
	}
	return dst, nil
}

// isDotSegment reports whether seg is "." or "..".
func isDotSegment(seg []byte) bool {
	return len(seg) == 1 || len(seg) == 2 && seg[1] == '.'
}

// unhex returns the value of the hex digit b, or 255 when b is not one.
func unhex(b byte) byte {
	switch {
	case '0' <= b && b <= '9':
		return b - '0'
	case 'a' <= b && b <= 'f':
		return b - 'a' + 10
	case 'A' <= b && b <= 'F':
		return b - 'A' + 10
	}
	return 255
}

// rootName returns the name os.Root opens for key: without the leading
// and trailing "/", and "." for the directory itself.
func rootName(key string) string {
	name := key[1:]
	if n := len(name); n > 0 && name[n-1] == '/' {
		name = name[:n-1]
	}
	if name == "" {
		return "."
	}
	return name
}

// isDirKey reports whether key asks for a directory: it ends with "/".
func isDirKey(key string) bool { return key[len(key)-1] == '/' }
