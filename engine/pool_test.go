package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parkedWorkers returns how many workers wait in p for a job.
func parkedWorkers(p *pool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.parked)
}

// holdingWorkers starts n workers that each take one job from p, report
// it on the returned channel and then hold it, as a handler that blocks
// does, until the test ends.
func holdingWorkers(t *testing.T, p *pool, n int) <-chan *job {
	t.Helper()
	got := make(chan *job, n)
	release := make(chan struct{})
	done := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			if j := p.take(newPoolWorker(), release); j != nil {
				got <- j
				<-release
			}
		}()
	}
	t.Cleanup(func() {
		close(release)
		for i := 0; i < n; i++ {
			<-done
		}
	})
	require.Eventually(t, func() bool { return parkedWorkers(p) == n }, ioTimeout, time.Millisecond)
	return got
}

func TestPoolJobsBehindABlockedOneGetWorkers(t *testing.T) {
	tests := []struct {
		name    string
		workers int
		jobs    int
	}{
		{"two jobs, two workers", 2, 2},
		{"eight jobs queued at once", 8, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &pool{capacity: 64}
			got := holdingWorkers(t, p, tt.workers)
			want := map[*job]bool{}
			for i := 0; i < tt.jobs; i++ {
				j := &job{}
				want[j] = true
				p.push(j)
			}
			// Every worker holds its job, so each queued job must have
			// woken a worker of its own.
			for i := 0; i < tt.jobs; i++ {
				select {
				case j := <-got:
					assert.True(t, want[j])
					delete(want, j)
				case <-time.After(ioTimeout):
					t.Fatalf("%d of %d jobs got a worker", i, tt.jobs)
				}
			}
		})
	}
}

func TestPoolTakesJobsInOrder(t *testing.T) {
	p := &pool{capacity: 64}
	var jobs []*job
	for i := 0; i < 40; i++ { // past the ring's first size
		j := &job{}
		jobs = append(jobs, j)
		p.push(j)
		if i%3 == 2 {
			require.Same(t, jobs[0], p.take(newPoolWorker(), nil))
			jobs = jobs[1:]
		}
	}
	assert.Equal(t, len(jobs), p.queued())
	for _, want := range jobs {
		require.Same(t, want, p.take(newPoolWorker(), nil))
	}
	assert.Zero(t, p.queued())
}

func TestPoolStopEndsWorkersAfterTheQueue(t *testing.T) {
	p := &pool{capacity: 64}
	p.wg.Add(1)
	took := make(chan *job, 2)
	go func() {
		defer p.wg.Done()
		w := newPoolWorker()
		for j := p.take(w, nil); j != nil; j = p.take(w, nil) {
			took <- j
		}
	}()
	require.Eventually(t, func() bool { return parkedWorkers(p) == 1 }, ioTimeout, time.Millisecond)
	a, b := &job{}, &job{}
	p.mu.Lock() // queued together, then stopped: both are still served
	p.queue.push(a)
	p.queue.push(b)
	p.mu.Unlock()
	p.stop()
	p.wg.Wait()
	require.Len(t, took, 2)
	assert.Same(t, a, <-took)
	assert.Same(t, b, <-took)
	assert.Nil(t, p.take(newPoolWorker(), nil), "a stopped pool's worker ends")
}
