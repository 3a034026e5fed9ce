// Package abi implements the Everscale contract ABI, versions 2.0 to 2.4:
// the ABI JSON model, parameter types, function and event ids, packing
// values into chains of cells and reading them back, external and internal
// call bodies with their signing rules, storage fields (2.4) and the older
// init-data dictionary.
//
// Values use these Go types (Decode returns them; Encode also accepts the
// looser inputs listed):
//
//	uintN, intN, varuintN, varintN, gram  *big.Int  (int, int64, uint64, decimal or 0x-hex string, json.Number)
//	bool                                  bool
//	address, address_std                  *cell.Address (AddrNone for none; "wc:hex" or "" string)
//	bytes, fixedbytesN                    []byte (base64 string)
//	string                                string
//	cell                                  *cell.Cell (base64 BOC string)
//	optional(T)                           nil or the value of T
//	T[], T[k]                             []any
//	map(K,V)                              Map, in key order ([[k, v], ...] or map[string]any)
//	tuple                                 map[string]any by component name
//	ref(T)                                the value of T
//
// ToJSON turns values into the token JSON of nekoton (Everscale's wallet
// library): integers as decimal strings, bytes and cells as base64, maps as
// arrays of [key, value] pairs; FromJSON is its inverse.
package abi

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
)

// Sentinel errors; test them with errors.Is.
var (
	// ErrUnsupportedVersion: an ABI version outside 2.0 to 2.4.
	ErrUnsupportedVersion = errors.New("unsupported ABI version")
	// ErrInvalidType: a type string that is not an ABI type.
	ErrInvalidType = errors.New("invalid ABI type")
	// ErrInvalidValue: a value that does not fit its type.
	ErrInvalidValue = errors.New("invalid ABI value")
	// ErrNotFound: no function, event or parameter of that name or id.
	ErrNotFound = errors.New("not found in ABI")
	// ErrDecode: cells that do not hold what the ABI says they hold.
	ErrDecode = errors.New("cannot decode ABI data")
)

// signatureHash is the first 4 bytes of SHA-256 of a signature string.
func signatureHash(sig string) uint32 {
	h := sha256.Sum256([]byte(sig))
	return binary.BigEndian.Uint32(h[:4])
}
