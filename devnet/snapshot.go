package devnet

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gosh-sh/sign-cli/internal/atomicfile"
)

// snapshot is what a state directory holds.
type snapshot struct {
	Lt uint64 `json:"lt"`
	// Seq counts the changes the snapshot holds; the journal's entries
	// after it are the changes since.
	Seq          uint64        `json:"seq,omitempty"`
	Accounts     []Account     `json:"accounts"`
	Transactions []Transaction `json:"transactions"`
	// Messages are the BOCs of the messages the transactions took and
	// sent, in the order they were recorded.
	Messages [][]byte `json:"messages,omitempty"`
	// Blocks are the BOCs of the chain's blocks, in the order they were
	// made.
	Blocks [][]byte `json:"blocks,omitempty"`
}

const stateFile = "everos-state.json"

func readSnapshot(dir string) (*snapshot, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading emulator state: %w", err)
	}
	var s snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("reading emulator state %s: %w", filepath.Join(dir, stateFile), err)
	}
	return &s, nil
}

// writeSnapshot replaces the state file atomically: a reader or a crash
// sees the old state or the new one, never a mix.
func writeSnapshot(dir string, s *snapshot) (size int64, err error) {
	b, err := json.Marshal(s)
	if err != nil {
		return 0, fmt.Errorf("encoding emulator state: %w", err)
	}
	// Mode 0600: the state holds the devnet giver's balance, not its key,
	// but nobody else needs it.
	if err := atomicfile.Write(filepath.Join(dir, stateFile), b, 0o600, true); err != nil {
		return 0, fmt.Errorf("writing emulator state: %w", err)
	}
	return int64(len(b)), nil
}
