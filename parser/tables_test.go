package parser

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValidFieldNameEveryByte(t *testing.T) {
	const tchars = "!#$%&'*+-.^_`|~"
	for c := 0; c < 256; c++ {
		b := byte(c)
		want := (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
			(b != 0 && contains(tchars, b))
		assert.Equal(t, want, ValidFieldName("X"+string([]byte{b})), "byte %#x", c)
	}
	assert.False(t, ValidFieldName(""))
}

func TestValidFieldValueEveryByte(t *testing.T) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		want := b == '\t' || (b >= 0x20 && b != 0x7f)
		assert.Equal(t, want, ValidFieldValue("a"+string([]byte{b})+"b"), "byte %#x", c)
	}
	assert.True(t, ValidFieldValue(""))
}
