package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestReadinessDuringDrain(t *testing.T) {
	s := New(HandlerFunc(func(c *Context) error { return nil }), Config{})
	assert.True(t, s.Ready())
	s.draining.Store(true)
	assert.False(t, s.Ready())
	s.draining.Store(false)
	s.SetReady(false)
	assert.False(t, s.Ready())
	s.SetReady(true)
	assert.True(t, s.Ready())
	s.SetMaintenance(time.Second)
	assert.False(t, s.Ready())
}
