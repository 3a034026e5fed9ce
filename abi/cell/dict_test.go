package cell

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand"
	"os"
	"testing"
)

// dictRootOf returns the dictionary root held by a HashmapE data cell.
func dictRootOf(t *testing.T, data *Cell) *Cell {
	t.Helper()
	s := data.BeginParse()
	root, err := s.LoadMaybeRef()
	if err != nil || root == nil || !s.IsEmpty() {
		t.Fatalf("data cell is not a non-empty HashmapE: %v", err)
	}
	return root
}

// TestDictRebuildPublished parses the init-data dictionaries of contracts
// and ever-sdk's encode_initial_data result, rebuilds them from their
// entries, and expects the same cells.
func TestDictRebuildPublished(t *testing.T) {
	tvcData := func(name string) *Cell {
		raw, err := os.ReadFile("testdata/eversdk/" + name)
		if err != nil {
			t.Fatal(err)
		}
		si, err := FromBOC(raw)
		if err != nil {
			t.Fatal(err)
		}
		return si.Ref(1)
	}
	encoded, err := FromBase64("te6ccgEBBwEARwABAcABAgPPoAQCAQFIAwAWc29tZSBzdHJpbmcCASAGBQADHuAAQQiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIoA==")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data *Cell
		keys []uint64
	}{
		{"EventsOld.tvc", tvcData("EventsOld.tvc"), []uint64{0, 8}},
		{"t24_initdata.tvc", tvcData("t24_initdata.tvc"), []uint64{0}},
		{"encode_initial_data", encoded, []uint64{0, 1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := dictRootOf(t, tc.data)
			items, err := ParseDict(root, 64)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != len(tc.keys) {
				t.Fatalf("got %d entries, want %d", len(items), len(tc.keys))
			}
			var entries []DictEntry
			for i, it := range items {
				if got := binary.BigEndian.Uint64(it.Key); got != tc.keys[i] {
					t.Errorf("entry %d key %d, want %d", i, got, tc.keys[i])
				}
				entries = append(entries, DictEntry{Key: it.Key, Value: it.Value.ToBuilder()})
			}
			// Reverse the order: the builder must not depend on it.
			for i, j := 0, len(entries)-1; i < j; i, j = i+1, j-1 {
				entries[i], entries[j] = entries[j], entries[i]
			}
			rebuilt, err := BuildDict(64, entries)
			if err != nil {
				t.Fatal(err)
			}
			if rebuilt.Hash() != root.Hash() {
				t.Errorf("rebuilt dictionary hash %x, want %x\n got %v\nwant %v", rebuilt.Hash(), root.Hash(), rebuilt, root)
			}
		})
	}
}

func TestDictPublishedValues(t *testing.T) {
	encoded, err := FromBase64("te6ccgEBBwEARwABAcABAgPPoAQCAQFIAwAWc29tZSBzdHJpbmcCASAGBQADHuAAQQiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIoA==")
	if err != nil {
		t.Fatal(err)
	}
	items, err := ParseDict(dictRootOf(t, encoded), 64)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := items[0].Value.LoadBits(256)
	if err != nil || !bytes.Equal(pub, bytes.Repeat([]byte{0x22}, 32)) {
		t.Errorf("key 0 = %x, %v; want 22…22", pub, err)
	}
	if a, err := items[1].Value.LoadUInt(8); err != nil || a != 123 {
		t.Errorf("key 1 = %d, %v; want 123", a, err)
	}
	ref, err := items[2].Value.LoadRef()
	if err != nil || string(ref.Data()) != "some string" {
		t.Errorf("key 2 = %v, %v", ref, err)
	}
}

// TestDictLabels checks each of the three label forms against hand-made
// bit strings.
func TestDictLabels(t *testing.T) {
	tests := []struct {
		name   string
		keyLen int
		key    []byte
		want   string // leaf cell as String prints it; the value is one 1 bit
	}{
		// m=8, n=8, k=4: all zeros → same: 11 0 1000, then value 1.
		{"same zeros", 8, []byte{0x00}, "8[D1]\n"},
		// m=8 bits 10110011, k=4 < 8 → long: 10 1000 10110011 1.
		{"long", 8, []byte{0xb3}, "15[A2CF_]\n"},
		// m=1, n=1, k=1: not same (n=1), k<n false → short: 0 1 0 b, value 1.
		{"short", 1, []byte{0x80}, "5[5C_]\n"},
		// m=64 all ones: same 11 1 n=64 in 7 bits = 1000000, then value 1.
		{"same ones 64", 64, bytes.Repeat([]byte{0xff}, 8), "11[F03_]\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := BuildDict(tc.keyLen, []DictEntry{{Key: tc.key, Value: BeginCell().StoreUInt(1, 1)}})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.String(); got != tc.want {
				t.Errorf("leaf %q, want %q", got, tc.want)
			}
			items, err := ParseDict(c, tc.keyLen)
			if err != nil || len(items) != 1 || !bytes.Equal(items[0].Key, tc.key) {
				t.Fatalf("parse: %v %v", items, err)
			}
			if v, _ := items[0].Value.LoadUInt(1); v != 1 || !items[0].Value.IsEmpty() {
				t.Errorf("value not 1")
			}
		})
	}
}

func TestDictRoundTripRandom(t *testing.T) {
	seed := int64(20261121)
	rng := rand.New(rand.NewSource(seed))
	for iter := 0; iter < 300; iter++ {
		keyLen := 1 + rng.Intn(300)
		if iter%3 == 0 {
			keyLen = []int{8, 16, 32, 64, 256, 267}[rng.Intn(6)]
		}
		maxKeys := 40
		if keyLen < 6 {
			maxKeys = 1 << keyLen
		}
		n := 1 + rng.Intn(maxKeys)
		want := map[string]uint64{}
		var entries []DictEntry
		for len(entries) < n {
			k := make([]byte, (keyLen+7)/8)
			rng.Read(k)
			if keyLen%8 != 0 {
				k[len(k)-1] &= 0xff << (8 - keyLen%8)
			}
			// Cluster keys sometimes so that long shared labels appear.
			if rng.Intn(2) == 0 && len(entries) > 0 {
				copy(k, entries[0].Key[:len(k)-1])
			}
			if _, dup := want[string(k)]; dup {
				continue
			}
			v := rng.Uint64()
			want[string(k)] = v
			entries = append(entries, DictEntry{Key: k, Value: BeginCell().StoreUInt(v, 64)})
		}
		root, err := BuildDict(keyLen, entries)
		if err != nil {
			t.Fatalf("seed %d iter %d: %v", seed, iter, err)
		}
		items, err := ParseDict(root, keyLen)
		if err != nil {
			t.Fatalf("seed %d iter %d: %v", seed, iter, err)
		}
		if len(items) != n {
			t.Fatalf("seed %d iter %d: %d items, want %d", seed, iter, len(items), n)
		}
		for i, it := range items {
			if i > 0 && bytes.Compare(items[i-1].Key, it.Key) >= 0 {
				t.Fatalf("seed %d iter %d: keys out of order", seed, iter)
			}
			v, err := it.Value.LoadUInt(64)
			if err != nil || v != want[string(it.Key)] {
				t.Fatalf("seed %d iter %d: key %x value %d, want %d", seed, iter, it.Key, v, want[string(it.Key)])
			}
		}
	}
}

func TestDictErrors(t *testing.T) {
	v := BeginCell().StoreUInt(1, 8)
	if _, err := BuildDict(8, []DictEntry{{Key: []byte{1}, Value: v}, {Key: []byte{1}, Value: v}}); !errors.Is(err, ErrValueRange) {
		t.Errorf("duplicate key: %v", err)
	}
	if _, err := BuildDict(8, []DictEntry{{Key: []byte{1, 2}, Value: v}}); !errors.Is(err, ErrValueRange) {
		t.Errorf("long key: %v", err)
	}
	if _, err := BuildDict(4, []DictEntry{{Key: []byte{0x11}, Value: v}}); !errors.Is(err, ErrValueRange) {
		t.Errorf("key bits past length: %v", err)
	}
	if _, err := BuildDict(0, nil); !errors.Is(err, ErrValueRange) {
		t.Errorf("key length 0: %v", err)
	}
	if c, err := BuildDict(8, nil); c != nil || err != nil {
		t.Errorf("empty: %v %v", c, err)
	}
	big := BeginCell().StoreZeros(1020)
	if _, err := BuildDict(8, []DictEntry{{Key: []byte{0xb3}, Value: big}}); !errors.Is(err, ErrCellOverflow) {
		t.Errorf("oversized leaf: %v", err)
	}
	// A fork with one reference, and a label longer than the key.
	oneRef, _ := BeginCell().StoreUInt(0, 2).StoreRef(EmptyCell).EndCell()
	if _, err := ParseDict(oneRef, 8); !errors.Is(err, ErrInvalidDict) {
		t.Errorf("fork with one ref: %v", err)
	}
	longLabel, _ := BeginCell().StoreUInt(0b10, 2).StoreUInt(9, 4).EndCell()
	if _, err := ParseDict(longLabel, 8); !errors.Is(err, ErrInvalidDict) {
		t.Errorf("label too long: %v", err)
	}
	truncated, _ := BeginCell().StoreUInt(0b1, 1).EndCell()
	if _, err := ParseDict(truncated, 8); !errors.Is(err, ErrNotEnoughData) {
		t.Errorf("truncated label: %v", err)
	}
}

func FuzzParseDict(f *testing.F) {
	f.Add([]byte("\xb5\xee\x9c\x72\x01\x01\x07\x01\x00\x47"), uint16(64))
	root, _ := BuildDict(16, []DictEntry{{Key: []byte{1, 2}, Value: BeginCell()}, {Key: []byte{1, 3}, Value: BeginCell().StoreRef(EmptyCell)}})
	f.Add(root.ToBOC(), uint16(16))
	f.Fuzz(func(t *testing.T, boc []byte, keyLen uint16) {
		c, err := FromBOC(boc)
		if err != nil {
			return
		}
		kl := int(keyLen%MaxBits) + 1
		items, err := ParseDict(c, kl)
		if err != nil {
			return
		}
		var entries []DictEntry
		for _, it := range items {
			entries = append(entries, DictEntry{Key: it.Key, Value: it.Value.ToBuilder()})
		}
		if _, err := BuildDict(kl, entries); err != nil && !errors.Is(err, ErrCellOverflow) {
			t.Fatalf("rebuilding parsed dictionary: %v", err)
		}
	})
}
