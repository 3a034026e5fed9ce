package abi_test

import (
	"fmt"
	"math/big"
	"os"

	"github.com/gosh-sh/sign-cli/abi"
	"github.com/gosh-sh/sign-cli/abi/cell"
)

// A contract's address comes from its StateInit; a deploy message carries
// that StateInit to the address, with a body (normally a signed constructor
// call, here a bare function id).
func ExampleNewExternalInMessage() {
	tvc, err := os.ReadFile("testdata/EventsOld.tvc")
	if err != nil {
		fmt.Println(err)
		return
	}
	si, _, err := abi.StateInitFromTVC(tvc)
	if err != nil {
		fmt.Println(err)
		return
	}
	addr, err := si.Address(0)
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := cell.BeginCell().StoreUInt(0x68B55F3F, 32).EndCell()
	msg := abi.NewExternalInMessage(addr, si, body)
	id, err := msg.ID()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("address:", addr)
	fmt.Println("GraphQL id:", id.Hex())
	fmt.Println("postRequests id:", id.Base64())

	// The receiving side reads the message back from its BOC.
	boc, _ := msg.ToBOC()
	parsed, _, err := abi.ParseMessageBOC(boc)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(parsed.Kind, "to", parsed.Dst, "with code:", parsed.Init.Code != nil)
	// Output:
	// address: 0:84a9510b0278047154b1b84b6dd445c1349d8d42d75a2eece07b72ad6e4ea136
	// GraphQL id: 7379f38b5929abf75f8a1845fdbfc99db5f5eb62776f34963ba59cf71a5654a5
	// postRequests id: c3nzi1kpq/dfihhF/b/JnbX162J3bzSWO6Wc9xpWVKU=
	// external inbound to 0:84a9510b0278047154b1b84b6dd445c1349d8d42d75a2eece07b72ad6e4ea136 with code: true
}

// An internal message moves value; a wallet contract sends it on.
func ExampleNewInternalMessage() {
	dst := cell.MustParseAddress("0:1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef")
	body, _ := cell.BeginCell().StoreUInt(0x50CBED17, 32).EndCell()
	s, err := abi.NewInternalMessage(dst, big.NewInt(1_000_000_000), true, nil, body).ToBase64()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s)
	// Output:
	// te6ccgEBAQEAOgAAcGIACRorPEhV5veJGis8SFXm94kaKzxIVeb3iRorPEhV5veh3NZQAAAAAAAAAAAAAAAAAABQy+0X
}
