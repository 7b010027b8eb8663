package engine

import (
	"context"
	"runtime"
	"sync"

	"github.com/panjf2000/gnet/v2"
)

// The hand-off of blocking work between a loop and the worker pool.
//
// The loop queues each job once its connection's earlier responses have
// reached the socket (handOver). At the first job of a batch of reads it
// yields its P at once, so that a lone connection's response waits for
// nothing, and posts itself one task (afterHandOvers); gnet runs the task
// once the batch's events are handled, and the loop then yields again to
// the worker it woke for the batch's other jobs, which serves them in a row
// (pool), and finishes, in one pass, every job the workers completed
// meanwhile (finishJobs). A worker that completes a job while no such pass
// is due posts one itself (handBack). So a batch of k requests costs one
// posted task and about five goroutine switches, where it cost a channel
// hand-off, two switches and a posted task per request.

// handOverYields bounds how often a loop yields its P to the workers it
// woke.
const handOverYields = 3

// finishedJobs are the jobs whose responses have left, waiting for their
// loop to move their connections on.
type finishedJobs struct {
	// mu guards jobs and due.
	mu   sync.Mutex
	jobs []*job
	// due: a task that will finish the jobs is posted to the loop, or
	// the loop is about to finish them itself; a worker adding one need
	// not post another.
	due bool
}

// add appends j and reports whether the caller must post a task to finish
// it.
func (f *finishedJobs) add(j *job) (post bool) {
	f.mu.Lock()
	f.jobs = append(f.jobs, j)
	post = !f.due
	f.due = true
	f.mu.Unlock()
	return post
}

// claim marks a pass as due: the caller finishes the jobs added from now
// on itself (take).
func (f *finishedJobs) claim() {
	f.mu.Lock()
	f.due = true
	f.mu.Unlock()
}

// take returns the jobs added so far, swapped for spare, and ends the due
// pass: a job added after it needs a new one.
func (f *finishedJobs) take(spare []*job) []*job {
	f.mu.Lock()
	jobs := f.jobs
	f.jobs = spare[:0]
	f.due = false
	f.mu.Unlock()
	return jobs
}

// handOver queues c's pending job for the worker pool once every earlier
// response of the connection has reached the socket, since the worker
// writes to the socket itself; until then the job waits (checkOutput).
//
// The loop yields its P to the worker at the batch's first job and once
// the batch is served (afterHandOvers). gnet's loop waits in epoll_wait as a plain system call
// and keeps its P while it waits; a worker made runnable on that P is not
// run until sysmon retakes the P, which an idle process does only every
// 10 ms. The loop's own runtime.Gosched (gnet calls it before it blocks)
// is not enough either: once every 61 schedules the scheduler looks at the
// global queue first, where Gosched put the loop, and runs the loop again.
// With GOMAXPROCS=1 that was one request in about sixty waiting 5 to 15
// ms.
func (c *conn) handOver() {
	j := c.pending
	if c.t.OutboundBuffered() > 0 {
		c.waitOutput()
		return
	}
	if w, ok := c.gc.(directWriter); ok {
		j.direct = w
	} else if c.gc != nil {
		sock, err := c.socket()
		if err != nil {
			c.srv.cfg.Logger.Error("engine: cannot hand a connection to a worker", "err", err)
			c.dropJob()
			c.close()
			return
		}
		j.sock = sock.acquire()
	}
	j.submitted = true
	c.srv.pool.push(j)
	l := c.loop
	if c.gc == nil || l.yieldPosted {
		return
	}
	// The batch's first job is worked on at once, so that one
	// connection's response does not wait for the task's round trip;
	// the jobs queued after it wait for the end of the batch.
	l.finished.claim()
	l.yield()
	if l.el.Execute(context.Background(), l.afterHandOversTask) != nil {
		l.abandonFinished() // the server has stopped
		return
	}
	l.yieldPosted = true
}

// yield gives the P to the workers woken for the jobs l queued, until
// they have looked at the queue.
func (l *loop) yield() {
	for i := 0; i < handOverYields && l.srv.pool.awaited(); i++ {
		runtime.Gosched()
	}
}

// afterHandOvers runs on the loop once the batch that queued jobs is
// served: it yields the P to the workers woken for them, then moves on
// the connections whose jobs completed meanwhile.
func (l *loop) afterHandOvers() {
	l.yieldPosted = false
	l.finished.claim()
	l.yield()
	l.finishJobs()
}

// finishJobs moves on the connections of the jobs the workers completed
// (job.done). A connection it resumes may queue a new job, whose pass is
// posted anew.
func (l *loop) finishJobs() {
	jobs := l.finished.take(l.finishing)
	for i, j := range jobs {
		_ = j.done(context.Background())
		jobs[i] = nil
	}
	l.finishing = jobs[:0]
}

// handBack returns the connection to its loop (job.done), through the
// loop's pass over finished jobs. When the loop is gone, the server has
// stopped and the jobs waiting for it only let go of what they hold.
func (j *job) handBack() {
	l := j.c.loop
	if j.c.gc == nil {
		j.recycle()
		return
	}
	if !l.finished.add(j) {
		return
	}
	if l.el.Execute(context.Background(), l.finishJobsTask) != nil {
		l.abandonFinished()
	}
}

// abandonFinished lets go of the finished jobs of a loop that has
// stopped: each closes its descriptor of the socket and cancels its
// context. The jobs are not recycled, since their connections may still
// point to them until gnet closes those.
func (l *loop) abandonFinished() {
	for _, j := range l.finished.take(nil) {
		if j.sock != nil {
			j.sock.release()
			j.sock = nil
		}
		if j.cancel != nil {
			j.cancel()
		}
	}
}

// newHandOffTasks makes l's hand-off tasks once, so that posting them
// allocates nothing of ours.
func (l *loop) newHandOffTasks() {
	l.afterHandOversTask = gnet.RunnableFunc(func(context.Context) error {
		l.afterHandOvers()
		return nil
	})
	l.finishJobsTask = gnet.RunnableFunc(func(context.Context) error {
		l.finishJobs()
		return nil
	})
}
