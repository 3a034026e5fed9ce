package loopback

import "testing"

func TestIsHost(t *testing.T) {
	for _, tc := range []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"LocalHost", true},
		{"localhost.", true},
		{"app.localhost", true},
		{"registry.APP.localhost", true},
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"127.255.255.254", true},
		{"::1", true},
		{"[::1]", true},
		{"::ffff:127.0.0.1", true},

		{"", false},
		{".localhost", false},
		{"localhost.example.com", false},
		{"notlocalhost", false},
		{"localhostx", false},
		{"0.0.0.0", false}, // unspecified, not loopback: see the package comment
		{"::", false},
		{"128.0.0.1", false},
		{"10.0.0.1", false},
		{"192.168.1.1", false},
		{"127.example.com", false}, // a name that starts like an address
		{"127.0.0.1.nip.io", false},
		{"::2", false},
		{"example.com", false},
		{"registry.local", false},
	} {
		if got := IsHost(tc.host); got != tc.want {
			t.Errorf("IsHost(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
}

func TestIsAddr(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"localhost:5000", true},
		{"app.localhost:5000", true},
		{"127.0.0.1:0", true},
		{"[::1]:5000", true},
		{"127.0.0.1", true},
		{"localhost", true},
		{"::1", true},

		{"0.0.0.0:0", false},
		{"[::]:80", false},
		{":8080", false}, // every interface
		{"example.com:5000", false},
		{"127.example.com:5000", false},
		{"registry.example.com", false},
	} {
		if got := IsAddr(tc.addr); got != tc.want {
			t.Errorf("IsAddr(%q) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}
