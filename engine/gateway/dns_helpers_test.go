package gateway

import (
	"encoding/binary"
	"net"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// DNS message constants (RFC 1035 §4.1).
const (
	dnsHeaderLen  = 12
	dnsTypeA      = 1
	rcodeNXDOMAIN = 3
)

// serveDNS runs a DNS server on 127.0.0.1 UDP that answers each query with
// reply(query), or not at all when reply returns nil, and returns its
// address. It stops when the test ends.
func serveDNS(t *testing.T, reply func(query []byte) []byte) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if out := reply(buf[:n]); out != nil {
				_, _ = pc.WriteTo(out, from)
			}
		}
	}()
	t.Cleanup(func() {
		_ = pc.Close()
		wg.Wait()
	})
	return pc.LocalAddr().String()
}

// silentDNS never answers.
func silentDNS([]byte) []byte { return nil }

// nxdomainDNS answers every query "no such name".
func nxdomainDNS(q []byte) []byte { return dnsReply(q, rcodeNXDOMAIN, false) }

// localhostDNS answers every A query with 127.0.0.1, and every other
// query with no records.
func localhostDNS(q []byte) []byte { return dnsReply(q, 0, true) }

// dnsReply builds the response to query q: its ID and question, the given
// rcode, recursion available, and, when withA is set and q asks for an A
// record, one A record for 127.0.0.1. It returns nil for a query it cannot
// read.
func dnsReply(q []byte, rcode byte, withA bool) []byte {
	if len(q) < dnsHeaderLen {
		return nil
	}
	// The question: a name as length-prefixed labels ending with a zero
	// length, then QTYPE and QCLASS.
	end := dnsHeaderLen
	for end < len(q) && q[end] != 0 {
		end += int(q[end]) + 1
	}
	end += 1 + 4
	if end > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[end-4:])
	answers := uint16(0)
	if withA && qtype == dnsTypeA && rcode == 0 {
		answers = 1
	}
	out := make([]byte, 0, end+16)
	out = append(out, q[0], q[1])                 // ID
	out = append(out, 0x80|q[2]&0x01, 0x80|rcode) // QR, RD copied; RA, RCODE
	out = binary.BigEndian.AppendUint16(out, 1)   // QDCOUNT
	out = binary.BigEndian.AppendUint16(out, answers)
	out = append(out, 0, 0, 0, 0) // NSCOUNT, ARCOUNT
	out = append(out, q[dnsHeaderLen:end]...)
	if answers == 1 {
		out = append(out, 0xc0, dnsHeaderLen) // the name: a pointer to the question's
		out = append(out, 0, dnsTypeA, 0, 1)  // TYPE A, CLASS IN
		out = append(out, 0, 0, 0, 60)        // TTL
		out = append(out, 0, 4, 127, 0, 0, 1) // RDLENGTH, RDATA
	}
	return out
}
