package signature_test

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/gosh-sh/sign-cli/signature"
)

func ExampleParseKey() {
	// The same key as a seed phrase, as printed by `signature.Key`: the
	// secret never appears.
	k, err := signature.ParseKey("abandon math mimic master filter design carbon crystal rookie group knife young")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(k)
	fmt.Println(k.Public().TONSafe())
	fmt.Printf("%s", k.Public().PEM())
	// Output:
	// Key(public 61c3c5b97a33c9c0a03af112fbb27e3f44d99e1f804853f9842bb7a6e5de3ff9)
	// PuZhw8W5ejPJwKA68RL7sn4_RNmeH4BIU_mEK7em5d4_-cIx
	// -----BEGIN PUBLIC KEY-----
	// MCowBQYDK2VwAyEAYcPFuXozycCgOvES+7J+P0TZnh+ASFP5hCu3puXeP/k=
	// -----END PUBLIC KEY-----
}

func ExampleNewPayload() {
	repo, _ := name.NewRepository("registry.example.com/team/app")
	d, _ := signature.ParseDigest("sha256:0f2e8d4bbf4ad4a9e4d8d7bb0d6b1c2b8d3d9b2b6a8c3e2f1a0b9c8d7e6f5a4b")
	p, _ := signature.NewPayload(repo, d, map[string]string{"build": "42"})
	fmt.Println(string(p))
	fmt.Println(signature.SignatureTag(repo, d))
	// Output:
	// {"critical":{"identity":{"docker-reference":"registry.example.com/team/app"},"image":{"docker-manifest-digest":"sha256:0f2e8d4bbf4ad4a9e4d8d7bb0d6b1c2b8d3d9b2b6a8c3e2f1a0b9c8d7e6f5a4b"},"type":"cosign container image signature"},"optional":{"build":"42"}}
	// registry.example.com/team/app:sha256-0f2e8d4bbf4ad4a9e4d8d7bb0d6b1c2b8d3d9b2b6a8c3e2f1a0b9c8d7e6f5a4b.sig
}
