package files

// Options are a Handler's settings. The zero value is the shipped default:
// no listings, no dotfiles, a 64 MiB cache of files up to 256 KiB.
type Options struct {
	// Browse lists a directory that has no index.html; by default such a
	// directory is answered 404.
	Browse bool
	// Dotfiles serves paths with a segment that starts with "." (".env",
	// ".git/config"); by default they are answered 404, as if absent.
	// "." and ".." segments are refused either way.
	Dotfiles bool
	// CacheBytes bounds the memory of the open-file cache; 0 means
	// DefaultCacheBytes and a negative value turns the cache off, so that
	// every request reads the file on the worker pool. When the cache is
	// full, an entry not requested since the eviction hand last passed it
	// is evicted (CLOCK, an approximation of least recently used).
	CacheBytes int64
	// CacheMaxFile is the size of the largest file the cache holds; 0
	// means DefaultCacheMaxFile. Larger files are sent with sendfile(2),
	// from the loop when the cache holds them open, else by a worker.
	CacheMaxFile int64
}

// Defaults of the Options fields whose zero value means "default".
const (
	DefaultCacheBytes   = 64 << 20
	DefaultCacheMaxFile = 256 << 10
)

// withDefaults returns o with every zero field replaced by its default.
func (o Options) withDefaults() Options {
	if o.CacheBytes == 0 {
		o.CacheBytes = DefaultCacheBytes
	}
	if o.CacheMaxFile <= 0 {
		o.CacheMaxFile = DefaultCacheMaxFile
	}
	return o
}
