// Package loopback holds sign-cli's one rule for "this host is on loopback",
// which decides where plain HTTP is allowed without an insecure flag (GraphQL
// endpoints, registries read by sign and check, registries pushed to by
// build-and-sign) and where the devnet may listen.
//
// A host is on loopback when it is
//   - localhost, or a name under .localhost (RFC 6761 reserves both for the
//     loopback interface), in any letter case;
//   - an IPv4 address in 127.0.0.0/8 (also written as an IPv4-mapped IPv6
//     address), or the IPv6 address ::1.
//
// 0.0.0.0 (and ::) is not: it is the unspecified address, not a loopback
// one. As a listening address it means every interface, which is exactly
// what the devnet must refuse; as a destination its meaning depends on the
// operating system (Linux and macOS connect to the local host, Windows
// refuses it). One rule serves both uses, so 127.0.0.1 or localhost must be
// written instead.
package loopback

import (
	"net"
	"strings"
)

// IsHost reports whether host (a name or an IP address, without a port;
// an IPv6 address may be in brackets) is on loopback.
func IsHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(strings.TrimPrefix(strings.TrimSuffix(host, "]"), "[")), ".")
	if h == "localhost" || (strings.HasSuffix(h, ".localhost") && len(h) > len(".localhost")) {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// IsAddr reports whether the host of addr, written host, host:port or
// [ipv6]:port, is on loopback.
func IsAddr(addr string) bool {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return IsHost(h)
	}
	return IsHost(addr)
}
