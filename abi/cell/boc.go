package cell

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
)

// BOC magic numbers: the generic format and the two legacy indexed ones.
const (
	magicGeneric  = 0xb5ee9c72
	magicIdx      = 0x68ff65f3
	magicIdxCRC32 = 0xacc3a728
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// DecodeLimits bound what a decoder accepts, on top of the bounds the input
// itself implies.
type DecodeLimits struct {
	MaxCells int // cells in the bag
	MaxRoots int
}

// DefaultDecodeLimits accept any account state or message the network carries.
var DefaultDecodeLimits = DecodeLimits{MaxCells: 1 << 20, MaxRoots: 1 << 10}

// FromBOC decodes a bag of cells with exactly one root.
func FromBOC(data []byte) (*Cell, error) {
	roots, err := DecodeBOC(data, DefaultDecodeLimits)
	if err != nil {
		return nil, err
	}
	if len(roots) != 1 {
		return nil, fmt.Errorf("%w: %d roots, want 1", ErrInvalidBOC, len(roots))
	}
	return roots[0], nil
}

// FromBase64 decodes a standard-base64 BOC with one root, as the GraphQL API
// and Everscale SDKs pass them.
func FromBase64(s string) (*Cell, error) {
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%w: not base64: %v", ErrInvalidBOC, err)
	}
	return FromBOC(data)
}

// FromBOCMultiRoot decodes a bag of cells with any number of roots.
func FromBOCMultiRoot(data []byte) ([]*Cell, error) {
	return DecodeBOC(data, DefaultDecodeLimits)
}

// bocReader reads big-endian fields of a given width with bounds checks.
type bocReader struct {
	b   []byte
	pos int
}

func (r *bocReader) uint(n int, what string) (uint64, error) {
	if n > len(r.b)-r.pos {
		return 0, fmt.Errorf("%w: truncated at %s (offset %d)", ErrInvalidBOC, what, r.pos)
	}
	var v uint64
	for _, c := range r.b[r.pos : r.pos+n] {
		v = v<<8 | uint64(c)
	}
	r.pos += n
	return v, nil
}

type rawCell struct {
	d1, d2 byte
	data   []byte
	refs   []int
}

// DecodeBOC decodes a bag of cells in any of the three formats, checking the
// CRC-32C when present and every size against the input and the limits.
func DecodeBOC(data []byte, lim DecodeLimits) ([]*Cell, error) {
	r := &bocReader{b: data}
	magic, err := r.uint(4, "magic")
	if err != nil {
		return nil, err
	}
	flags, err := r.uint(1, "flags")
	if err != nil {
		return nil, err
	}
	var hasIdx, hasCRC, hasCacheBits bool
	switch magic {
	case magicGeneric:
		hasIdx, hasCRC, hasCacheBits = flags&0x80 != 0, flags&0x40 != 0, flags&0x20 != 0
		if flags&0x18 != 0 {
			return nil, fmt.Errorf("%w: reserved flag bits set (%#02x)", ErrInvalidBOC, flags)
		}
	case magicIdx, magicIdxCRC32:
		hasIdx, hasCRC = true, magic == magicIdxCRC32
	default:
		return nil, fmt.Errorf("%w: unknown magic %08x, want b5ee9c72", ErrInvalidBOC, magic)
	}
	if hasCacheBits && !hasIdx {
		return nil, fmt.Errorf("%w: cache bits without an index", ErrInvalidBOC)
	}
	if hasCRC {
		if len(data) < 4+6 {
			return nil, fmt.Errorf("%w: too short for a CRC-32C", ErrInvalidBOC)
		}
		body := data[:len(data)-4]
		want := binary.LittleEndian.Uint32(data[len(data)-4:])
		if got := crc32.Checksum(body, castagnoli); got != want {
			return nil, fmt.Errorf("%w: CRC-32C mismatch (stored %08x, computed %08x)", ErrInvalidBOC, want, got)
		}
		r.b = body
	}
	refSize := int(flags & 7)
	if refSize < 1 || refSize > 4 {
		return nil, fmt.Errorf("%w: reference size %d bytes, want 1..4", ErrInvalidBOC, refSize)
	}
	off, err := r.uint(1, "offset size")
	if err != nil {
		return nil, err
	}
	offSize := int(off)
	if offSize < 1 || offSize > 8 {
		return nil, fmt.Errorf("%w: offset size %d bytes, want 1..8", ErrInvalidBOC, offSize)
	}
	cellsN, err := r.uint(refSize, "cell count")
	if err != nil {
		return nil, err
	}
	rootsN, err := r.uint(refSize, "root count")
	if err != nil {
		return nil, err
	}
	absent, err := r.uint(refSize, "absent count")
	if err != nil {
		return nil, err
	}
	totSize, err := r.uint(offSize, "cells size")
	if err != nil {
		return nil, err
	}
	switch {
	case cellsN == 0:
		return nil, fmt.Errorf("%w: no cells", ErrInvalidBOC)
	case cellsN > uint64(lim.MaxCells):
		return nil, fmt.Errorf("%w: %d cells, limit %d", ErrInvalidBOC, cellsN, lim.MaxCells)
	case rootsN == 0 || rootsN > cellsN || rootsN > uint64(lim.MaxRoots):
		return nil, fmt.Errorf("%w: %d roots for %d cells (limit %d)", ErrInvalidBOC, rootsN, cellsN, lim.MaxRoots)
	case absent != 0:
		return nil, fmt.Errorf("%w: %d absent cells, not supported", ErrInvalidBOC, absent)
	case magic != magicGeneric && rootsN != 1:
		return nil, fmt.Errorf("%w: legacy format with %d roots, want 1", ErrInvalidBOC, rootsN)
	}
	// Every cell takes at least its two descriptor bytes, so a cell count the
	// data cannot hold is refused before anything is allocated for it.
	rest := uint64(len(r.b) - r.pos)
	if totSize > rest || cellsN*2 > totSize {
		return nil, fmt.Errorf("%w: %d cells in %d bytes of cell data, %d bytes left in input", ErrInvalidBOC, cellsN, totSize, rest)
	}
	n := int(cellsN)
	rootIdx := []int{0}
	if magic == magicGeneric {
		rootIdx = make([]int, rootsN)
		for i := range rootIdx {
			v, err := r.uint(refSize, "root list")
			if err != nil {
				return nil, err
			}
			if v >= cellsN {
				return nil, fmt.Errorf("%w: root index %d of %d cells", ErrInvalidBOC, v, cellsN)
			}
			rootIdx[i] = int(v)
		}
	}
	var index []uint64
	if hasIdx {
		index = make([]uint64, n)
		for i := range index {
			v, err := r.uint(offSize, "index")
			if err != nil {
				return nil, err
			}
			if hasCacheBits {
				v >>= 1
			}
			index[i] = v
		}
	}
	if uint64(len(r.b)-r.pos) != totSize {
		return nil, fmt.Errorf("%w: %d bytes of cell data, header says %d", ErrInvalidBOC, len(r.b)-r.pos, totSize)
	}
	cellData := r.b[r.pos:]
	raws := make([]rawCell, n)
	pos := 0
	for i := 0; i < n; i++ {
		rc, next, err := parseRawCell(cellData, pos, i, n, refSize)
		if err != nil {
			return nil, err
		}
		if index != nil && index[i] != uint64(next) {
			return nil, fmt.Errorf("%w: index says cell %d ends at %d, it ends at %d", ErrInvalidBOC, i, index[i], next)
		}
		raws[i] = rc
		pos = next
	}
	if pos != len(cellData) {
		return nil, fmt.Errorf("%w: %d bytes after the last cell", ErrInvalidBOC, len(cellData)-pos)
	}
	// References always point forward, so building from the end gives every
	// cell its finished children.
	cells := make([]*Cell, n)
	for i := n - 1; i >= 0; i-- {
		rc := raws[i]
		refs := make([]*Cell, len(rc.refs))
		for j, ri := range rc.refs {
			refs[j] = cells[ri]
		}
		bits, err := dataBits(rc)
		if err != nil {
			return nil, fmt.Errorf("%w: cell %d: %v", ErrInvalidBOC, i, err)
		}
		exotic := rc.d1&8 != 0
		c, err := newCell(rc.data, bits, refs, exotic)
		if err != nil {
			return nil, fmt.Errorf("%w: cell %d: %v", ErrInvalidBOC, i, err)
		}
		if want := levelMask(rc.d1 >> 5); want != c.levelMask {
			return nil, fmt.Errorf("%w: cell %d declares level mask %d, its content gives %d", ErrInvalidBOC, i, want, c.levelMask)
		}
		cells[i] = c
	}
	roots := make([]*Cell, len(rootIdx))
	for i, ri := range rootIdx {
		roots[i] = cells[ri]
	}
	return roots, nil
}

// parseRawCell reads one serialized cell at pos: descriptors, data, optional
// stored hashes (skipped; recomputed), and forward reference indices.
func parseRawCell(b []byte, pos, self, n, refSize int) (rawCell, int, error) {
	if len(b)-pos < 2 {
		return rawCell{}, 0, fmt.Errorf("%w: cell %d truncated", ErrInvalidBOC, self)
	}
	rc := rawCell{d1: b[pos], d2: b[pos+1]}
	pos += 2
	refs := int(rc.d1 & 7)
	if refs > MaxRefs {
		return rawCell{}, 0, fmt.Errorf("%w: cell %d has %d references (absent cells are not supported)", ErrInvalidBOC, self, refs)
	}
	if rc.d1&16 != 0 {
		// Stored hashes and depths: skipped, since hashes are always recomputed.
		skip := levelMask(rc.d1>>5).hashCount() * (32 + 2)
		if len(b)-pos < skip {
			return rawCell{}, 0, fmt.Errorf("%w: cell %d truncated in stored hashes", ErrInvalidBOC, self)
		}
		pos += skip
	}
	size := (int(rc.d2) + 1) / 2 // d2 is at most 255, so at most 128 bytes
	if len(b)-pos < size+refs*refSize {
		return rawCell{}, 0, fmt.Errorf("%w: cell %d truncated", ErrInvalidBOC, self)
	}
	rc.data = append([]byte(nil), b[pos:pos+size]...)
	pos += size
	rc.refs = make([]int, refs)
	for j := range rc.refs {
		var v int
		for _, c := range b[pos : pos+refSize] {
			v = v<<8 | int(c)
		}
		pos += refSize
		if v <= self || v >= n {
			return rawCell{}, 0, fmt.Errorf("%w: cell %d refers to cell %d (references must point forward, %d cells)", ErrInvalidBOC, self, v, n)
		}
		rc.refs[j] = v
	}
	return rc, pos, nil
}

// dataBits recovers the bit length from d2 and the completion tag, and
// clears the tag from the data.
func dataBits(rc rawCell) (int, error) {
	if rc.d2%2 == 0 {
		return int(rc.d2) / 2 * 8, nil
	}
	last := rc.data[len(rc.data)-1]
	// An odd d2 promises a partial last byte: its tag must leave 1 to 7
	// data bits there. 0x00 has no tag and 0x80 would make the byte empty,
	// an overlong encoding that would hash differently from its canonical form.
	if last&0x7f == 0 {
		return 0, fmt.Errorf("bad completion tag %#02x in the last data byte", last)
	}
	trailing := 0
	for last&(1<<trailing) == 0 {
		trailing++
	}
	rc.data[len(rc.data)-1] &^= 1 << trailing
	bits := len(rc.data)*8 - trailing - 1
	if bits > MaxBits {
		return 0, fmt.Errorf("%d data bits", bits)
	}
	return bits, nil
}

// BOCOptions choose the optional parts of an encoded bag of cells.
type BOCOptions struct {
	Index     bool // write the offset index
	CRC32C    bool // append a CRC-32C of everything before it
	CacheBits bool // mark index entries with cache bits (needs Index)
}

// ToBOC encodes the cell as a single-root bag of cells exactly as
// ever-block writes it: no index, no CRC, minimal size fields.
func (c *Cell) ToBOC() []byte {
	b, _ := EncodeBOC([]*Cell{c}, BOCOptions{})
	return b
}

// ToBOCWithOptions encodes the cell with the given optional parts.
func (c *Cell) ToBOCWithOptions(opts BOCOptions) []byte {
	b, _ := EncodeBOC([]*Cell{c}, opts)
	return b
}

// ToBase64 is the standard-base64 BOC, as the GraphQL API wants it.
func (c *Cell) ToBase64() string { return base64.StdEncoding.EncodeToString(c.ToBOC()) }

// EncodeBOC encodes one or more roots into one bag, cells deduplicated by hash
// and ordered as ever-block orders them: the reverse of a depth-first
// post-order walk that visits references in order.
func EncodeBOC(roots []*Cell, opts BOCOptions) ([]byte, error) {
	if len(roots) == 0 {
		return nil, fmt.Errorf("%w: no roots to encode", ErrInvalidBOC)
	}
	if opts.CacheBits && !opts.Index {
		return nil, fmt.Errorf("%w: cache bits need an index", ErrInvalidBOC)
	}
	var ix cellIndex
	var post []*Cell
	var walk func(c *Cell)
	walk = func(c *Cell) {
		if _, ok := ix.find(c); ok {
			return
		}
		for _, r := range c.refs {
			walk(r)
		}
		ix.add(c, len(post))
		post = append(post, c)
	}
	for _, r := range roots {
		walk(r)
	}
	n := len(post)
	// The file lists cells in reverse post-order: a post-order position p
	// becomes index n-1-p.
	index := func(c *Cell) uint64 { p, _ := ix.find(c); return uint64(n - 1 - p) }
	order := make([]*Cell, n)
	for i, c := range post {
		order[n-1-i] = c
	}
	refSize := bytesFor(uint64(n))
	total := 0
	ends := make([]uint64, n)
	for i, c := range order {
		total += 2 + len(c.data) + len(c.refs)*refSize
		ends[i] = uint64(total)
	}
	offSize := bytesFor(uint64(total))
	if opts.CacheBits {
		// Index entries are shifted left by one to make room for the cache bit.
		offSize = bytesFor(uint64(total) << 1)
	}
	out := make([]byte, 0, 6+3*refSize+offSize+len(roots)*refSize+total+4)
	out = binary.BigEndian.AppendUint32(out, magicGeneric)
	flags := byte(refSize)
	if opts.Index {
		flags |= 0x80
	}
	if opts.CRC32C {
		flags |= 0x40
	}
	if opts.CacheBits {
		flags |= 0x20
	}
	out = append(out, flags, byte(offSize))
	out = appendUint(out, uint64(n), refSize)
	out = appendUint(out, uint64(len(roots)), refSize)
	out = appendUint(out, 0, refSize)
	out = appendUint(out, uint64(total), offSize)
	for _, r := range roots {
		out = appendUint(out, index(r), refSize)
	}
	if opts.Index {
		for _, e := range ends {
			if opts.CacheBits {
				e <<= 1
			}
			out = appendUint(out, e, offSize)
		}
	}
	for _, c := range order {
		out = append(out, c.d1(c.levelMask), c.d2())
		out = append(out, c.data...)
		if c.bits%8 != 0 {
			out[len(out)-1] |= 0x80 >> (c.bits % 8) // the completion tag
		}
		for _, r := range c.refs {
			out = appendUint(out, index(r), refSize)
		}
	}
	if opts.CRC32C {
		out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, castagnoli))
	}
	return out, nil
}

// bytesFor is the least number of bytes (at least 1) that holds v.
func bytesFor(v uint64) int {
	n := 1
	for v >= 1<<(8*n) && n < 8 {
		n++
	}
	return n
}

func appendUint(b []byte, v uint64, size int) []byte {
	for i := size - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*i)))
	}
	return b
}

// cellIndex maps cells to their post-order position, deduplicating equal
// cells (same hash) held by different pointers. Messages have a few dozen
// cells, for which a linear scan beats hashing 32-byte keys; larger trees
// switch to maps.
type cellIndex struct {
	cells  []*Cell
	pos    []int
	byPtr  map[*Cell]int
	byHash map[[32]byte]int
}

const cellIndexLinear = 32

func (x *cellIndex) find(c *Cell) (int, bool) {
	if x.byPtr != nil {
		if p, ok := x.byPtr[c]; ok {
			return p, true
		}
		p, ok := x.byHash[c.Hash()]
		if ok {
			x.byPtr[c] = p
		}
		return p, ok
	}
	for i, o := range x.cells {
		if o == c {
			return x.pos[i], true
		}
	}
	h := c.hashes[len(c.hashes)-1]
	for i, o := range x.cells {
		if o.hashes[len(o.hashes)-1] == h {
			return x.pos[i], true
		}
	}
	return 0, false
}

func (x *cellIndex) add(c *Cell, p int) {
	if x.byPtr == nil && len(x.cells) < cellIndexLinear {
		x.cells = append(x.cells, c)
		x.pos = append(x.pos, p)
		return
	}
	if x.byPtr == nil {
		x.byPtr = make(map[*Cell]int, 2*cellIndexLinear)
		x.byHash = make(map[[32]byte]int, 2*cellIndexLinear)
		for i, o := range x.cells {
			x.byPtr[o] = x.pos[i]
			x.byHash[o.Hash()] = x.pos[i]
		}
	}
	x.byPtr[c] = p
	x.byHash[c.Hash()] = p
}
