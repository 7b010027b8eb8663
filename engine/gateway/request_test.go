package gateway

import (
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAppendClientIP(t *testing.T) {
	tests := []struct {
		name string
		addr net.Addr
		want string
	}{
		{"IPv4", &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1).To4(), Port: 5000}, "192.0.2.1"},
		{"IPv4 in 16 bytes", &net.TCPAddr{IP: net.IPv4(10, 0, 100, 255), Port: 5000}, "10.0.100.255"},
		{"IPv4 zeros and tens", &net.TCPAddr{IP: net.IPv4(0, 9, 10, 99).To4(), Port: 5000}, "0.9.10.99"},
		{"IPv4 hundreds", &net.TCPAddr{IP: net.IPv4(100, 101, 110, 200).To4(), Port: 5000}, "100.101.110.200"},
		{"IPv4-mapped IPv6", &net.TCPAddr{IP: net.ParseIP("::ffff:127.0.0.1"), Port: 1}, "127.0.0.1"},
		{"IPv6", &net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 443}, "2001:db8::1"},
		{"IPv6 loopback", &net.TCPAddr{IP: net.IPv6loopback, Port: 80}, "::1"},
		{"no port", &net.UnixAddr{Name: "/run/x.sock", Net: "unix"}, "/run/x.sock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := requestText{buf: []byte("before,")}
			at := appendClientIP(&text, tt.addr)
			assert.Equal(t, tt.want, string(text.buf[at.start:at.end]))
			assert.Equal(t, "before,"+tt.want, string(text.buf))
		})
	}
}
