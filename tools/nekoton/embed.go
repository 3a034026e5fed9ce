// Package nekoton holds the Node.js bridge to nekoton-wasm (bridge.mjs), so
// that programs built from this module carry it: internal/nekoton writes it
// to a temporary directory and runs it with node.
package nekoton

import _ "embed"

// BridgeScript is the text of bridge.mjs.
//
//go:embed bridge.mjs
var BridgeScript []byte
