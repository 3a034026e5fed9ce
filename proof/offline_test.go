package proof

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gosh-sh/sign-cli/keys"
)

// TestOfflineMessageCheck signs an offline message, then changes each claim
// it makes of itself: the message itself checks, every changed copy is
// refused with ErrInvalidMessage.
func TestOfflineMessageCheck(t *testing.T) {
	key, _ := keys.GenerateKey(nil)
	other, _ := keys.GenerateKey(nil)
	content := "sha256:" + strings.Repeat("ab", 32)
	now := time.Now()
	m, err := NewOfflineMessage(key, content, now, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c, err := m.Check()
	if err != nil {
		t.Fatalf("the message as signed: %v", err)
	}
	if c.Public != key.Public() || c.Content != content || !c.ExpireAt.Equal(m.ExpireAt) || c.Root.HashHex() != m.Hash {
		t.Fatalf("checked %+v, from %+v", c, m)
	}
	tests := []struct {
		name   string
		change func(m *OfflineMessage)
		want   string
	}{
		{"another key", func(m *OfflineMessage) { m.Public = other.Public().String() }, "not the proof's deploy message"},
		{"a bad key", func(m *OfflineMessage) { m.Public = "00" }, "public key"},
		{"other content", func(m *OfflineMessage) { m.Content = "sha256:" + strings.Repeat("cd", 32) }, "not the proof's deploy message"},
		{"empty content", func(m *OfflineMessage) { m.Content = "" }, "content"},
		{"a later expiry", func(m *OfflineMessage) { m.ExpireAt = m.ExpireAt.Add(time.Hour) }, "expire_at"},
		{"another address", func(m *OfflineMessage) { m.Address = "0:" + strings.Repeat("1", 64) }, "address"},
		{"another hash", func(m *OfflineMessage) { m.Hash = strings.Repeat("0", 64) }, "hash"},
		{"not a bag of cells", func(m *OfflineMessage) { m.BOC = []byte("deploy me") }, "message"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			changed := *m
			tc.change(&changed)
			_, err := changed.Check()
			if !errors.Is(err, ErrInvalidMessage) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want ErrInvalidMessage mentioning %q", err, tc.want)
			}
		})
	}
}
