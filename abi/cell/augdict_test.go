package cell

import (
	"math/big"
	"testing"
)

var sumCoins = Aug[*big.Int]{
	Store: func(b *Builder, v *big.Int) *Builder { return b.StoreCoins(v) },
	Sum:   func(a, b *big.Int) *big.Int { return new(big.Int).Add(a, b) },
}

func TestBuildAugDict(t *testing.T) {
	tests := []struct {
		name string
		keys []byte
		want int64
	}{
		{"one", []byte{7}, 7},
		{"two", []byte{1, 200}, 201},
		{"many", []byte{3, 9, 4, 250, 128, 127}, 3 + 9 + 4 + 250 + 128 + 127},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var entries []AugEntry[*big.Int]
			for _, k := range tc.keys {
				entries = append(entries, AugEntry[*big.Int]{Key: []byte{k}, Extra: big.NewInt(int64(k)), Value: BeginCell().StoreUInt(uint64(k)^0xff, 8)})
			}
			root, total, err := BuildAugDict(8, entries, sumCoins)
			if err != nil {
				t.Fatal(err)
			}
			if total.Int64() != tc.want {
				t.Fatalf("extra %v, want %d", total, tc.want)
			}
			for _, k := range tc.keys {
				s, err := LookupDict(root, 8, []byte{k}, true)
				if err != nil || s == nil {
					t.Fatalf("key %d: %v %v", k, s, err)
				}
				extra, _ := s.LoadCoins()
				v, _ := s.LoadUInt(8)
				if extra.Int64() != int64(k) || v != uint64(k)^0xff {
					t.Fatalf("key %d: extra %v value %d", k, extra, v)
				}
			}
			if s, err := LookupDict(root, 8, []byte{42}, true); s != nil || err != nil {
				t.Fatalf("absent key found: %v %v", s, err)
			}
		})
	}
	if _, _, err := BuildAugDict(8, []AugEntry[*big.Int]{{Key: []byte{1}, Extra: big.NewInt(0), Value: BeginCell()}, {Key: []byte{1}, Extra: big.NewInt(0), Value: BeginCell()}}, sumCoins); err == nil {
		t.Fatal("duplicate keys accepted")
	}
}
