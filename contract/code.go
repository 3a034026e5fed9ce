package contract

import (
	"embed"
	"fmt"
	"strings"
	"sync"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
)

var (
	//go:embed proof.code.boc
	proofCodeBOC string
	//go:embed giver.code.boc
	giverCodeBOC string

	// ProofABI is the ABI JSON of the proof contract: its constructor and
	// its storage fields (ABI 2.4).
	//go:embed proof.abi.json
	ProofABI string
	// GiverABI is the ABI JSON of the package's giver contract.
	//go:embed giver.abi.json
	GiverABI string

	//go:embed wallets/*.abi.json
	walletABIFiles embed.FS

	// Decoded on first use rather than at init: a command that never
	// builds a proof or a giver message does not pay for them.
	proofCode = sync.OnceValue(func() *cell.Cell { return mustCode("proof", proofCodeBOC) })
	giverCode = sync.OnceValue(func() *cell.Cell { return mustCode("giver", giverCodeBOC) })

	proofABI    = sync.OnceValue(func() *abi.ABI { return mustABI("proof.abi.json", ProofABI) })
	constructor = sync.OnceValue(func() *abi.Function { return mustFunction(proofABI(), "constructor") })
	giverABI    = sync.OnceValue(func() *abi.ABI { return mustABI("giver.abi.json", GiverABI) })
)

// The embedded files are part of the build; a broken one is a build error
// that TestEmbedded reports.
func mustCode(name, b64 string) *cell.Cell {
	c, err := cell.FromBase64(strings.TrimSpace(b64))
	if err != nil {
		panic(fmt.Sprintf("contract: embedded %s.code.boc: %v", name, err))
	}
	return c
}

func mustABI(name, text string) *abi.ABI {
	a, err := abi.Parse([]byte(text))
	if err != nil {
		panic(fmt.Sprintf("contract: embedded %s: %v", name, err))
	}
	return a
}

func mustFunction(a *abi.ABI, name string) *abi.Function {
	f, err := a.Function(name)
	if err != nil {
		panic(fmt.Sprintf("contract: embedded ABI has no %s: %v", name, err))
	}
	return f
}

func walletABIText(file string) string {
	b, err := walletABIFiles.ReadFile("wallets/" + file + ".abi.json")
	if err != nil {
		panic(fmt.Sprintf("contract: embedded wallet ABI %s: %v", file, err))
	}
	return string(b)
}

// ProofCode is the proof contract's code cell.
func ProofCode() *cell.Cell { return proofCode() }

// ProofCodeHash is the hash of the proof contract's code, as the GraphQL
// API reports it in an account's code_hash.
func ProofCodeHash() [32]byte { return proofCode().Hash() }

// GiverCode is the code cell of the package's giver.
func GiverCode() *cell.Cell { return giverCode() }

// GiverCodeHash is the hash of GiverCode.
func GiverCodeHash() [32]byte { return giverCode().Hash() }
