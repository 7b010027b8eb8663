package engine

import (
	"time"

	"github.com/panjf2000/gnet/v2"
)

// events is the gnet event handler. It stays thin: each callback finds the
// connection's state and hands over to it.
type events struct {
	gnet.BuiltinEventEngine
	srv *Server
}

// OnBoot records gnet's engine.
func (e *events) OnBoot(eng gnet.Engine) gnet.Action {
	e.srv.boot(eng)
	return gnet.None
}

// OnOpen admits a connection the acceptor enrolled, or closes it at once
// past MaxConns. One accepted while a drain begins is served: the
// acceptor stopped accepting before the drain counts what is open. A peer
// connection (Loop.Enroll) goes to its Peer.
func (e *events) OnOpen(gc gnet.Conn) ([]byte, gnet.Action) {
	switch v := gc.Context().(type) {
	case *PeerConn:
		v.opened(gc)
		return nil, gnet.None
	case *conn:
		// A client back from reading its upload off the loop.
		if v.state == stateClosed {
			gc.SetContext(nil) // closed meanwhile: nothing is left to serve
			return nil, gnet.Close
		}
		v.reattached(gc)
		return nil, gnet.None
	}
	s := e.srv
	over := s.cfg.MaxConns > 0 && s.openConns.Load() >= int64(s.cfg.MaxConns)
	if over && s.cfg.Overload == Refuse {
		s.counters.refused.Add(1)
		return nil, gnet.Close
	}
	s.openConns.Add(1)
	l := s.loopFor(gc.EventLoop())
	c := &conn{srv: s, loop: l, t: gc, gc: gc}
	gc.SetContext(c)
	l.conns[c] = struct{}{}
	if over {
		s.counters.refused.Add(1)
		c.reject(s.errConnLimit)
		return nil, gnet.None
	}
	s.counters.accepted.Add(1)
	l.wheel.arm(c, timerIdle, c.idleDeadline(s.cfg.ReadHeaderTimeout))
	return nil, gnet.None
}

// OnTraffic serves what arrived, for a client's connection or a peer's.
func (e *events) OnTraffic(gc gnet.Conn) gnet.Action {
	switch v := gc.Context().(type) {
	case *conn:
		return v.serve()
	case *PeerConn:
		return v.traffic()
	}
	return gnet.None
}

// OnClose releases the connection's state, or tells a peer's Peer.
func (e *events) OnClose(gc gnet.Conn, err error) gnet.Action {
	switch v := gc.Context().(type) {
	case *conn:
		if v.detached != nil {
			// The gnet side of a client taken off the loop: the conn
			// lives on (clientdetach.go), and so does the input gnet
			// held, copied: nothing was let go for memory to return.
			return gnet.None
		}
		e.srv.memory.noteRelease(gc.InboundBuffered() + gc.OutboundBuffered())
		v.onClose(err)
		delete(v.loop.conns, v)
		e.srv.openConns.Add(-1)
	case *PeerConn:
		v.onClose(err)
	}
	return gnet.None
}

// OnTick drives the clock and the timing wheels.
func (e *events) OnTick() (time.Duration, gnet.Action) {
	return e.srv.tick(), gnet.None
}
