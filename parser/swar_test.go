package parser

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSWARMatchesTables compares the word-at-a-time checks with the byte
// tables for every byte value at every position of a 16-byte run, next to
// every kind of neighbour (so borrows and carries between bytes are seen).
func TestSWARMatchesTables(t *testing.T) {
	neighbours := []byte{'a', 0x00, 0x09, 0x20, 0x21, 0x7e, 0x7f, 0x80, 0xff}
	for _, fill := range neighbours {
		for c := 0; c < 256; c++ {
			for pos := 0; pos < 16; pos++ {
				b := make([]byte, 16)
				for i := range b {
					b[i] = fill
				}
				b[pos] = byte(c)
				assert.Equal(t, isFieldValueBytes(b), isFieldValue(b), "fill %#x byte %#x at %d", fill, c, pos)
				wantTarget := true
				for _, x := range b {
					wantTarget = wantTarget && targetTable[x]
				}
				assert.Equal(t, wantTarget, isTarget(b), "fill %#x byte %#x at %d", fill, c, pos)
			}
		}
	}
}

// TestSWARTricks checks hasLess, hasMore and hasZero against a byte loop
// for words of one byte value next to each kind of neighbour.
func TestSWARTricks(t *testing.T) {
	for _, fill := range []byte{0x00, 0x01, 0x1f, 0x20, 0x41, 0x7e, 0x7f, 0x80, 0xff} {
		for c := 0; c < 256; c++ {
			for pos := 0; pos < 8; pos++ {
				x := uint64(fill) * lsb
				x = x&^(0xff<<(8*pos)) | uint64(c)<<(8*pos)
				assert.Equal(t, anyByte(x, func(b byte) bool { return b < 0x20 }), hasLess(x, 0x20) != 0, "%#x", x)
				assert.Equal(t, anyByte(x, func(b byte) bool { return b < 0x21 }), hasLess(x, 0x21) != 0, "%#x", x)
				assert.Equal(t, anyByte(x, func(b byte) bool { return b > 0x7e }), hasMore(x, 0x7e) != 0, "%#x", x)
				assert.Equal(t, anyByte(x, func(b byte) bool { return b == 0 }), hasZero(x) != 0, "%#x", x)
			}
		}
	}
}

func anyByte(x uint64, match func(byte) bool) bool {
	for i := 0; i < 8; i++ {
		if match(byte(x >> (8 * i))) {
			return true
		}
	}
	return false
}

// TestIndexControl compares indexControl with a byte loop for every byte
// value at every position of runs long enough for both word loops.
func TestIndexControl(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 33} {
		for c := 0; c < 256; c++ {
			for pos := 0; pos < n; pos++ {
				b := make([]byte, n)
				for i := range b {
					b[i] = 'a' + byte(i%26)
				}
				b[pos] = byte(c)
				want := n
				for i, x := range b {
					if x < ' ' || x == 0x7f {
						want = i
						break
					}
				}
				for start := 0; start <= min(pos, 3); start++ {
					w := want
					if w < start {
						w = start
					}
					assert.Equal(t, w, indexControl(b, start), "n %d byte %#x at %d from %d", n, c, pos, start)
				}
			}
		}
	}
}
