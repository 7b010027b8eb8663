//go:build unix

package files

import (
	"io/fs"
	"syscall"
)

// inodeOf returns the device and inode number of the file info describes,
// or zeros when the system does not say.
func inodeOf(info fs.FileInfo) (dev, ino uint64) {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), uint64(st.Ino)
	}
	return 0, 0
}
