package devnet

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The state directory holds a snapshot of the whole state and a journal
// of the changes since, one JSON line each, appended and synced as they
// happen: a change costs what it changed, not what the chain holds. When
// the journal outgrows the snapshot (and minJournal) the ledger writes a
// new snapshot, atomically, and empties the journal. Entries the snapshot
// already holds (a crash between the two) are skipped by their sequence
// number, and a torn last line (a crash while appending) is dropped.

const journalFile = "everos-journal.jsonl"

// minJournal is the size the journal may reach whatever the snapshot's.
var minJournal int64 = 4 << 20

// journalEntry is one change of the ledger.
type journalEntry struct {
	Seq          uint64        `json:"seq"`
	Lt           uint64        `json:"lt"`
	Accounts     []Account     `json:"accounts,omitempty"` // as they are after the change
	Deleted      []string      `json:"deleted,omitempty"`
	Transactions []Transaction `json:"transactions,omitempty"`
	Messages     [][]byte      `json:"messages,omitempty"`
	// Blocks are the BOCs of the blocks the change made.
	Blocks [][]byte `json:"blocks,omitempty"`
}

// saveLocked appends c to the journal, or writes a new snapshot when the
// journal has grown past it; the caller holds l.mu.
func (l *Ledger) saveLocked(c change) error {
	if l.dir == "" {
		return nil
	}
	l.seq++
	e := journalEntry{Seq: l.seq, Lt: l.lt, Deleted: c.deleted}
	for _, st := range c.accounts {
		e.Accounts = append(e.Accounts, st.Account)
	}
	for _, t := range c.txs {
		e.Transactions = append(e.Transactions, *t)
	}
	for _, m := range c.msgs {
		e.Messages = append(e.Messages, m.BOC)
	}
	for _, b := range c.blocks {
		e.Blocks = append(e.Blocks, b.BOC)
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encoding a change of the emulator's state: %w", err)
	}
	if l.journalSize+int64(len(line)) > max(l.snapSize, minJournal) {
		return l.compactLocked()
	}
	if l.journal == nil {
		if l.journal, err = os.OpenFile(filepath.Join(l.dir, journalFile), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); err != nil {
			return fmt.Errorf("opening the emulator's journal: %w", err)
		}
	}
	if _, err := l.journal.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("writing the emulator's journal: %w", err)
	}
	if err := l.journal.Sync(); err != nil {
		return fmt.Errorf("writing the emulator's journal: %w", err)
	}
	l.journalSize += int64(len(line)) + 1
	return nil
}

// compactLocked writes the whole state as a snapshot and empties the
// journal; the caller holds l.mu.
func (l *Ledger) compactLocked() error {
	if l.dir == "" {
		return nil
	}
	size, err := writeSnapshot(l.dir, l.snapshotLocked())
	if err != nil {
		return err
	}
	l.snapSize = size
	if err := os.Truncate(filepath.Join(l.dir, journalFile), 0); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("emptying the emulator's journal: %w", err)
	}
	l.journalSize = 0
	return nil
}

// replayJournal applies the journal's changes after the snapshot's.
func (l *Ledger) replayJournal() error {
	if fi, err := os.Stat(filepath.Join(l.dir, stateFile)); err == nil {
		l.snapSize = fi.Size()
	}
	path := filepath.Join(l.dir, journalFile)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the emulator's journal: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var good int64
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			break // a torn last line, or none
		}
		if err != nil {
			return fmt.Errorf("reading the emulator's journal: %w", err)
		}
		var e journalEntry
		if json.Unmarshal(bytes.TrimSpace(line), &e) != nil {
			break
		}
		good += int64(len(line))
		if e.Seq <= l.seq {
			continue
		}
		if err := l.applyEntryLocked(e); err != nil {
			return fmt.Errorf("loading the emulator's journal: change %d: %w", e.Seq, err)
		}
	}
	// What follows the last whole entry is dropped, so that appends go on
	// from there.
	if err := os.Truncate(path, good); err != nil {
		return fmt.Errorf("repairing the emulator's journal: %w", err)
	}
	l.journalSize = good
	return nil
}

func (l *Ledger) applyEntryLocked(e journalEntry) error {
	for _, a := range e.Accounts {
		st, err := newStored(a)
		if err != nil {
			return err
		}
		l.accounts[st.Address] = st
	}
	for _, addr := range e.Deleted {
		delete(l.accounts, addr)
	}
	for i, b := range e.Messages {
		m, err := ParseMessage(b)
		if err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
		l.addMessageLocked(m)
	}
	l.addTransactionsLocked(e.Transactions)
	l.savedBlocks = append(l.savedBlocks, e.Blocks...)
	l.lt, l.seq = e.Lt, e.Seq
	return nil
}
