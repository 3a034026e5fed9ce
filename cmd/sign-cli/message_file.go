package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/gosh-sh/sign-cli/internal/atomicfile"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
	"github.com/gosh-sh/sign-cli/contract"
	"github.com/gosh-sh/sign-cli/image"
	"github.com/gosh-sh/sign-cli/keys"
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

// deployMessage is a message file read back and checked.
type deployMessage struct {
	file   messageFile
	public keys.PublicKey
	root   *cell.Cell
}

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
func readMessageFile(app *App, path string) (*deployMessage, error) {
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
	pub, err := keys.ParsePublicKey(m.Public)
	if err != nil {
		return nil, bad("public key: %v", err)
	}
	proof, err := contract.NewProof(pub.Ed25519(), m.Content)
	if err != nil {
		return nil, bad("content: %v", err)
	}
	boc, err := base64.StdEncoding.DecodeString(m.Message)
	if err != nil {
		return nil, bad("message is not base64")
	}
	_, root, err := abi.ParseMessageBOC(boc)
	if err != nil {
		return nil, bad("message: %v", err)
	}
	call, err := proof.ReadDeployMessage(root)
	if err != nil {
		return nil, bad("%v", err)
	}
	if !m.ExpireAt.Equal(call.ExpireAt) {
		return nil, bad("expire_at %s is not the expiry signed into the message (%s)", m.ExpireAt.UTC().Format(time.RFC3339), call.ExpireAt.Format(time.RFC3339))
	}
	if m.Address != proof.Address().String() {
		return nil, bad("address %s is not the proof of its key and content (%s)", m.Address, proof.Address())
	}
	if root.HashHex() != m.Hash {
		return nil, bad("hash %s does not match the message (%s)", m.Hash, root.HashHex())
	}
	return &deployMessage{file: m, public: pub, root: root}, nil
}

func runSignOffline(app *App, o *signFlags, key keys.Key, targets []image.Target) error {
	if o.messageOut == "" {
		return usageError("--offline needs --message-out FILE")
	}
	if len(targets) != 1 {
		return usageError("--offline signs one target at a time, got %d", len(targets))
	}
	t := targets[0]
	if !t.HasDigest() {
		return usageError("--offline cannot reach the registry to resolve %s; give its digest (sha256:… or repo@sha256:…)", t)
	}
	if o.expire <= 0 {
		return usageError("--expire %s: expected a positive duration", o.expire)
	}
	if err := checkExpiry("--expire", o.expire); err != nil {
		return err
	}
	proof, err := contract.NewProof(key.Public().Ed25519(), t.Digest.String())
	if err != nil {
		return usageError("%v", err)
	}
	now := time.Now()
	expire := now.Add(o.expire).Truncate(time.Second)
	root, err := proof.DeployMessage(key.Ed25519(), now, uint32(expire.Unix()))
	if err != nil {
		return fmt.Errorf("building the deploy message: %w", err)
	}
	m := messageFile{
		Format:   messageFormat,
		Address:  proof.Address().String(),
		Public:   key.Public().String(),
		Content:  t.Digest.String(),
		ExpireAt: expire.UTC(),
		Hash:     root.HashHex(),
		Message:  root.ToBase64(),
	}
	if err := writeMessageFile(o.messageOut, m); err != nil {
		return err
	}
	if o.output == "json" {
		return writeJSON(app.Out, m)
	}
	fmt.Fprintf(app.Out, "wrote the signed deploy message of proof %s for %s to %s (valid until %s)\n",
		m.Address, m.Content, o.messageOut, m.ExpireAt.Format(time.RFC3339))
	return nil
}
