package gateway

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsHopByHop(t *testing.T) {
	connOpts := connectionOptions([]string{"keep-alive, X-Hop", " x-other ,"})
	tests := []struct {
		name string
		want bool
	}{
		{"Connection", true},
		{"keep-alive", true},
		{"TE", true},
		{"Trailer", true},
		{"transfer-encoding", true},
		{"Upgrade", true},
		{"Proxy-Authorization", true},
		{"Proxy-Authenticate", true},
		{"Proxy-Connection", true},
		{"x-hop", true},
		{"X-Other", true},
		{"X-Custom", false},
		{"Trailers", false},
		{"Content-Type", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, isHopByHop(tt.name, connOpts))
		})
	}
}

func TestForwardedElement(t *testing.T) {
	tests := []struct {
		name   string
		client string
		host   []byte
		want   string
	}{
		{"IPv4", "192.0.2.1", []byte("a.example"), `for=192.0.2.1;host="a.example";proto=http`},
		{"IPv6 quoted", "2001:db8::1", []byte("a.example:8080"), `for="[2001:db8::1]";host="a.example:8080";proto=http`},
		{"no Host", "192.0.2.1", nil, `for=192.0.2.1;proto=http`},
		{"quote escaped", "192.0.2.1", []byte(`a"b`), `for=192.0.2.1;host="a\"b";proto=http`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, forwardedElement(tt.client, tt.host))
		})
	}
}

func TestReceivedProtocol(t *testing.T) {
	assert.Equal(t, "1.0", receivedProtocol(1, 0))
	assert.Equal(t, "1.1", receivedProtocol(1, 1))
}

func TestNameOf(t *testing.T) {
	tests := []struct {
		name string
		want fieldName
	}{
		{"connection", connectionField},
		{"PROXY-CONNECTION", connectionField},
		{"Keep-Alive", hopByHopField},
		{"te", hopByHopField},
		{"Transfer-Encoding", hopByHopField},
		{"upgrade", hopByHopField},
		{"Proxy-Authenticate", hopByHopField},
		{"proxy-authorization", hopByHopField},
		{"Trailer", trailerField},
		{"via", viaField},
		{"x-forwarded-for", xForwardedForField},
		{"X-Forwarded-Proto", xForwardedProtoField},
		{"X-FORWARDED-HOST", xForwardedHostField},
		{"Forwarded", forwardedField},
		{"host", hostField},
		{"Content-Length", contentLengthField},
		{"DATE", dateField},
		{"Expect", expectField},
		{"user-agent", userAgentField},
		{"Content-Type", endToEndField},
		{"Trailers", endToEndField},
		{"X-Forwarded-Fox", endToEndField},
		{"Hosts", endToEndField},
		{"Vi", endToEndField},
		{"", endToEndField},
		{"X-A-Name-Longer-Than-Any-Known-One", endToEndField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, nameOf(tt.name))
			assert.Equal(t, tt.want, nameOf([]byte(tt.name)))
		})
	}
}

// hopByHop are the hop-by-hop fields (RFC 9110 §7.6.1, RFC 9112 §6.1 and
// §7.3, and the old Proxy-Connection) that nameOf must know as such.
var hopByHop = []string{
	"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
	"Transfer-Encoding", "Upgrade", "Proxy-Authorization", "Proxy-Authenticate",
}

func TestNameOfKnowsEveryHopByHopField(t *testing.T) {
	for _, name := range hopByHop {
		assert.True(t, nameOf(name).hopByHop(), name)
	}
}
