// Command anchorgen converts ever-sdk's trusted_key_blocks.bin (a bincode
// HashMap from a network's zerostate root hash to its key blocks, each a
// seq_no and a root hash) into the compact anchor files chainproof embeds:
// one file per network, 36 bytes per key block (seq_no big-endian, root
// hash), in increasing seq_no order.
//
//	go run ./chainproof/internal/anchorgen trusted_key_blocks.bin chainproof/anchors
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// networks names the files written for the zerostates chainproof knows.
var networks = map[string]string{
	"58ffca1a178daff705de54216e5433c9bd2e7d850070d334d38997847ab9e845": "mainnet.bin",
	"cd81dae0c23d78e7c3eb5903f2a7bd98889991d36a26812a9163ca0f29c47093": "devnet.bin",
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: anchorgen trusted_key_blocks.bin OUTDIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "anchorgen:", err)
		os.Exit(1)
	}
}

func run(in, outDir string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	maps, err := parse(b)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	for zs, file := range networks {
		recs, ok := maps[zs]
		if !ok {
			return fmt.Errorf("%s: no key blocks for zerostate %s", in, zs)
		}
		if err := os.WriteFile(filepath.Join(outDir, file), recs, 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d key blocks\n", file, len(recs)/36)
	}
	return nil
}

// parse reads bincode's layout: u64 count of entries, then for each a
// 32-byte key, a u64 count and that many (u32 seq_no, [u8; 32]) pairs, all
// little-endian. It returns each network's records re-encoded.
func parse(b []byte) (map[string][]byte, error) {
	r := bytes.NewReader(b)
	var n uint64
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for ; n > 0; n-- {
		var key [32]byte
		var m uint64
		if err := binary.Read(r, binary.LittleEndian, &key); err != nil {
			return nil, err
		}
		if err := binary.Read(r, binary.LittleEndian, &m); err != nil {
			return nil, err
		}
		if m > uint64(r.Len())/36 {
			return nil, errors.New("truncated key block list")
		}
		recs := make([]byte, 0, m*36)
		prev := int64(-1)
		for ; m > 0; m-- {
			var seq uint32
			var hash [32]byte
			if err := binary.Read(r, binary.LittleEndian, &seq); err != nil {
				return nil, err
			}
			if err := binary.Read(r, binary.LittleEndian, &hash); err != nil {
				return nil, err
			}
			if int64(seq) <= prev {
				return nil, fmt.Errorf("key block %d after %d: not increasing", seq, prev)
			}
			prev = int64(seq)
			recs = binary.BigEndian.AppendUint32(recs, seq)
			recs = append(recs, hash[:]...)
		}
		out[hex.EncodeToString(key[:])] = recs
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%d bytes after the last network", r.Len())
	}
	return out, nil
}
