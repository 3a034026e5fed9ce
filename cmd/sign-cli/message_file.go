package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/gosh-sh/sign-cli/internal/atomicfile"
	"github.com/gosh-sh/sign-cli/proof"
)

// messageFormat names the file `sign --offline` writes and `send` reads.
const messageFormat = "sign-cli/deploy-message/v1"

// messageFile is a signed deploy message kept for later publication. It
// holds no secret: the message is already signed and only deploys the proof
// of its own (public key, content).
type messageFile struct {
	Format   string    `json:"format"`
	Address  string    `json:"address"`
	Public   string    `json:"public"`
	Content  string    `json:"content"`
	ExpireAt time.Time `json:"expire_at"`
	Hash     string    `json:"hash"`
	Message  string    `json:"message"` // base64 BOC
}

// maxMessageFile bounds a message file: the message it carries, a proof's
// initial state and a signed constructor call, is a few kilobytes.
const maxMessageFile = 1 << 20

func writeMessageFile(path string, m messageFile) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, append(data, '\n'), 0o644, false); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return usageError("%s already exists; choose another --message-out", path)
		}
		return err
	}
	return nil
}

// readMessageFile reads a message file and checks that its message is the
// signed deploy message of the proof it names, so that send funds the right
// address.
func readMessageFile(app *App, path string) (*proof.CheckedMessage, error) {
	data, err := readInput(app, "reading message file", path, maxMessageFile)
	if err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return usageError("message file %s: %s", path, fmt.Sprintf(format, args...))
	}
	var m messageFile
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, bad("not JSON (%v); expected the file 'sign --offline --message-out' writes", err)
	}
	if m.Format != messageFormat {
		return nil, bad("format %q, expected %q", m.Format, messageFormat)
	}
	boc, err := base64.StdEncoding.DecodeString(m.Message)
	if err != nil {
		return nil, bad("message is not base64")
	}
	checked, err := m.offline(boc).Check()
	if err != nil {
		return nil, bad("%v", err)
	}
	return checked, nil
}

// newMessageFile is the file form of an offline message.
func newMessageFile(m *proof.OfflineMessage) messageFile {
	return messageFile{
		Format:   messageFormat,
		Address:  m.Address,
		Public:   m.Public,
		Content:  m.Content,
		ExpireAt: m.ExpireAt,
		Hash:     m.Hash,
		Message:  base64.StdEncoding.EncodeToString(m.BOC),
	}
}

// offline is the message a file holds, with what the file says of it.
func (f messageFile) offline(boc []byte) *proof.OfflineMessage {
	return &proof.OfflineMessage{Public: f.Public, Content: f.Content, Address: f.Address, ExpireAt: f.ExpireAt, Hash: f.Hash, BOC: boc}
}
