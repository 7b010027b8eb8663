package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPanicUnderConcurrentLoadLeavesOthersUnaffected(t *testing.T) {
	s := startServer(t, HandlerFunc(func(c *Context) error {
		if string(c.Path()) == "/panic" {
			panic("boom")
		}
		if string(c.Path()) == "/slow" {
			return Blocking(HandlerFunc(func(c *Context) error {
				time.Sleep(time.Millisecond) // slow work, served beside the panics
				_, _ = c.WriteString("ok")
				return nil
			})).Serve(c)
		}
		_, _ = c.WriteString("ok")
		return nil
	}), Config{Multicore: true, Logger: discardSlog()})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	var failures, served atomic.Int32
	for i := 0; i < 8; i++ {
		path := "/"
		if i%2 == 1 {
			path = "/slow"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dialRaw(t, s)
			for ctx.Err() == nil {
				c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n")
				resp, body := c.read("GET")
				if resp.StatusCode != 200 || body != "ok" {
					failures.Add(1)
				}
				served.Add(1)
			}
		}()
	}
	for ctx.Err() == nil {
		c := dialRaw(t, s)
		c.send("GET /panic HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, _ := c.read("GET")
		require.Equal(t, 500, resp.StatusCode)
	}
	wg.Wait()
	assert.Zero(t, failures.Load())
	assert.Positive(t, served.Load())
}
