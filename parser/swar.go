package parser

import (
	"encoding/binary"
	"math/bits"
)

// Word-at-a-time ("SWAR": SIMD within a register) checks of the two long
// runs in a request, field values and the request-target. Each loads eight
// bytes as one uint64 and asks, with a few arithmetic operations, whether
// any byte is outside the allowed range; only a word that may hold a bad
// byte is looked at byte by byte.
//
// The two tricks, for a word x of eight bytes x0..x7 and n <= 0x80:
//
// hasLess(x, n) = (x - n*lsb) & ^x & msb is non-zero iff some byte < n.
// Proof: subtracting n from a byte xi >= n needs no borrow and leaves the
// byte's top bit clear unless xi >= 0x80, in which case ^x clears it; so
// no byte >= n can set a result bit by itself, and borrows only start at a
// byte < n. A byte xi < n (< 0x80, so ^x keeps its top bit) wraps to
// 0x100+xi-n >= 0x80, setting its top bit. The lowest such byte sets its bit
// for certain (no borrow reaches it from below); bytes above it may be
// wrong, but the word's answer is exact.
//
// hasMore(x, n) = ((x + (0x7f-n)*lsb) | x) & msb is non-zero iff some byte
// > n, for n <= 0x7f. A byte xi <= 0x7f plus 0x7f-n reaches 0x80 exactly
// when xi > n and cannot carry out of its byte; a byte >= 0x80 has its top
// bit set in x itself. Carries out of bytes >= 0x80 may set bits above them,
// but those words already answer true.
//
// hasZero(x) = hasLess(x, 1), and a byte equal to c is a zero byte of
// x ^ (c*lsb).
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

func hasLess(x uint64, n byte) uint64 { return (x - uint64(n)*lsb) & ^x & msb }

func hasMore(x uint64, n byte) uint64 { return ((x + uint64(0x7f-n)*lsb) | x) & msb }

func hasZero(x uint64) uint64 { return (x - lsb) & ^x & msb }

// indexControl returns the offset of the first byte at or after i in b
// that is a control (below SP, HTAB included) or DEL, or len(b). Within a
// word, the lowest flagged byte of hasLess and of hasZero is a true one
// (false flags only appear above a true byte, see above), so the lowest
// set bit of their union marks the first such byte.
func indexControl(b []byte, i int) int {
	// Two words per round while they last: most values are a few words
	// long and end at the CR, so the loop branch is paid half as often.
	for ; i+16 <= len(b); i += 16 {
		x, y := binary.LittleEndian.Uint64(b[i:]), binary.LittleEndian.Uint64(b[i+8:])
		mx := hasLess(x, ' ') | hasZero(x^(0x7f*lsb))
		my := hasLess(y, ' ') | hasZero(y^(0x7f*lsb))
		if mx|my != 0 {
			if mx != 0 {
				return i + bits.TrailingZeros64(mx)/8
			}
			return i + 8 + bits.TrailingZeros64(my)/8
		}
	}
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if m := hasLess(x, ' ') | hasZero(x^(0x7f*lsb)); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if b[i] < ' ' || b[i] == 0x7f {
			return i
		}
	}
	return len(b)
}

// isFieldValue reports whether every byte of v is allowed in a field value
// (fieldValueTable). A word is suspect if a byte is below SP (HTAB is, and
// is allowed, hence the table check) or equals DEL.
func isFieldValue(v []byte) bool {
	i := 0
	for ; i+8 <= len(v); i += 8 {
		x := binary.LittleEndian.Uint64(v[i:])
		if hasLess(x, ' ')|hasZero(x^(0x7f*lsb)) != 0 && !isFieldValueBytes(v[i:i+8]) {
			return false
		}
	}
	return isFieldValueBytes(v[i:])
}

func isFieldValueBytes(v []byte) bool {
	for _, c := range v {
		if !fieldValueTable[c] {
			return false
		}
	}
	return true
}

// isTarget reports whether every byte of t is a visible US-ASCII character
// (targetTable): none below "!" and none above "~". Both word tests are
// exact, so a suspect word is a bad word.
func isTarget(t []byte) bool {
	i := 0
	for ; i+8 <= len(t); i += 8 {
		x := binary.LittleEndian.Uint64(t[i:])
		if hasLess(x, '!')|hasMore(x, '~') != 0 {
			return false
		}
	}
	for _, c := range t[i:] {
		if !targetTable[c] {
			return false
		}
	}
	return true
}
