package everos

import (
	"errors"
	"testing"
)

func TestShownEndpoint(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://x.dev/graphql", "https://x.dev/graphql"},
		{"https://x.dev/project/graphql?apikey=k", "https://x.dev/project/graphql"},
		{"https://x.dev/graphql?a=b?c", "https://x.dev/graphql"},
		{"http://127.0.0.1:99/graphql?", "http://127.0.0.1:99/graphql"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ShownEndpoint(tt.in); got != tt.want {
			t.Errorf("ShownEndpoint(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeEndpoint(t *testing.T) {
	tests := []struct {
		in       string
		insecure bool
		want     string
		wantErr  bool
	}{
		{in: "https://mainnet.evercloud.dev/abc123/graphql", want: "https://mainnet.evercloud.dev/abc123/graphql"},
		{in: "https://mainnet.evercloud.dev/abc123", want: "https://mainnet.evercloud.dev/abc123/graphql"},
		{in: "mainnet.evercloud.dev/abc123/", want: "https://mainnet.evercloud.dev/abc123/graphql"},
		{in: "gra01.net.everos.dev", want: "https://gra01.net.everos.dev/graphql"},
		{in: " https://x.dev/graphql/ ", want: "https://x.dev/graphql"},
		{in: "https://x.dev/graphql?a=b#frag", want: "https://x.dev/graphql?a=b"},
		{in: "https://x.dev/project?apikey=k", want: "https://x.dev/project/graphql?apikey=k"},
		{in: "localhost:8080", want: "http://localhost:8080/graphql"},
		{in: "127.0.0.1", want: "http://127.0.0.1/graphql"},
		{in: "http://127.0.0.1:99/p", want: "http://127.0.0.1:99/p/graphql"},
		{in: "http://[::1]:99", want: "http://[::1]:99/graphql"},
		{in: "app.localhost:8080", want: "http://app.localhost:8080/graphql"},
		{in: "http://app.localhost:8080", want: "http://app.localhost:8080/graphql"},
		// 0.0.0.0 is the unspecified address, not loopback (see internal/loopback).
		{in: "http://0.0.0.0:1/graphql", wantErr: true},
		{in: "http://0.0.0.0:1/graphql", insecure: true, want: "http://0.0.0.0:1/graphql"},
		{in: "0.0.0.0:1", want: "https://0.0.0.0:1/graphql"},
		{in: "http://example.com", wantErr: true},
		{in: "http://example.com", insecure: true, want: "http://example.com/graphql"},
		{in: "ftp://example.com", wantErr: true},
		{in: "", wantErr: true},
		{in: "https://", wantErr: true},
		{in: "https://user:pw@example.com", wantErr: true},
		{in: "https://exa mple.com", wantErr: true},
	}
	for _, tt := range tests {
		got, err := NormalizeEndpoint(tt.in, tt.insecure)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("NormalizeEndpoint(%q, %v) = %q, %v; want %q, error %v", tt.in, tt.insecure, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestAuthHeader(t *testing.T) {
	tests := []struct{ secret, want string }{
		{"", ""},
		{"s3cret", "Basic OnMzY3JldA=="},
		{"aaa.bbb.ccc", "Bearer aaa.bbb.ccc"},
	}
	for _, tt := range tests {
		if got := AuthHeader(tt.secret); got != tt.want {
			t.Errorf("AuthHeader(%q) = %q, want %q", tt.secret, got, tt.want)
		}
	}
}

func TestWebsocketURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://a.dev/p/graphql":    "wss://a.dev/p/graphql",
		"http://127.0.0.1:5/graphql": "ws://127.0.0.1:5/graphql",
	} {
		if got := websocketURL(in); got != want {
			t.Errorf("websocketURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewConfig(t *testing.T) {
	if _, err := New(Config{}); !errors.Is(err, ErrNoEndpoint) {
		t.Errorf("New without endpoints: %v, want ErrNoEndpoint", err)
	}
	if _, err := New(Config{Endpoints: []string{"http://example.com"}}); err == nil {
		t.Error("New accepted plain http to a public host")
	}
	c, err := New(Config{Endpoints: []string{"a.dev", "b.dev/x"}})
	if err != nil {
		t.Fatal(err)
	}
	got := c.Endpoints()
	if len(got) != 2 || got[0] != "https://a.dev/graphql" || got[1] != "https://b.dev/x/graphql" {
		t.Errorf("Endpoints() = %v", got)
	}
}

func TestParseBigInt(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  bool
	}{
		{"0x0", "0", false},
		{"0x3b9aca00", "1000000000", false},
		{"0X3B9ACA00", "1000000000", false},
		{"1000000000", "1000000000", false},
		{"-0x10", "-16", false},
		{"340282366920938463463374607431768211455", "340282366920938463463374607431768211455", false},
		{"", "", true},
		{"0x", "", true},
		{"0xzz", "", true},
		{"12a", "", true},
		{"--1", "", true},
		{"+5", "", true},
		{"1_000", "", true},
	}
	for _, tt := range tests {
		got, err := ParseBigInt(tt.in)
		if (err != nil) != tt.err || (err == nil && got.String() != tt.want) {
			t.Errorf("ParseBigInt(%q) = %v, %v; want %s, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestNormalizeAddress(t *testing.T) {
	const h = "ABCDEF0000000000000000000000000000000000000000000000000000000001"
	tests := []struct {
		in, want string
		err      bool
	}{
		{"0:" + h, "0:abcdef0000000000000000000000000000000000000000000000000000000001", false},
		{"-1:" + h, "-1:abcdef0000000000000000000000000000000000000000000000000000000001", false},
		{h, "", true},
		{"x:" + h, "", true},
		{"0:" + h[:63], "", true},
		{"0:" + h[:62] + "zz", "", true},
	}
	for _, tt := range tests {
		got, err := NormalizeAddress(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("NormalizeAddress(%q) = %q, %v", tt.in, got, err)
		}
	}
}
