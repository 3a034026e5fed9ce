package keys_test

import (
	"fmt"

	"github.com/gosh-sh/sign-cli/keys"
)

func ExampleParseKey() {
	// The same key as a seed phrase, as printed by `keys.Key`: the
	// secret never appears.
	k, err := keys.ParseKey("abandon math mimic master filter design carbon crystal rookie group knife young")
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

func ExampleKeyFromPhraseType() {
	// A legacy phrase EVER Wallet made: it carries a BIP-39 checksum, so
	// only its owner can say that it is legacy.
	phrase := "unaware face erupt ceiling frost shiver crumble know party before brisk skirt fence boat powder copy plastic until butter fluid property concert say verify"
	t, err := keys.DetectPhraseType(phrase)
	fmt.Println(t, err)
	k, err := keys.KeyFromPhraseType(phrase, keys.PhraseLegacy)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(k)
	// Output:
	// bip39 <nil>
	// Key(public 9475b8652f10bc21dc811e2e0a10fb409594da47f925132d527676a751926638)
}
