package abi

import (
	"crypto/ed25519"
	"encoding/base64"
	"testing"

	"github.com/gosh-sh/sign-cli/abi/cell"
)

// TestEverSDKMessagesEndToEnd rebuilds ever-sdk's encode_v2 messages from
// their inputs alone (ABI JSON, TVC, key pair, time and expire headers,
// call arguments) and expects byte-identical BOCs, data to sign and hashes:
// the path a deploy or a call takes through this package.
func TestEverSDKMessagesEndToEnd(t *testing.T) {
	v := loadSDKMessageVectors(t)
	a, err := Parse(readTestdata(t, "EventsOld.abi.json"))
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(decodeHexT(t, "cc8929d635719612a9478b9cd17675a39cfad52d8959e8a177389b8c0b9122a7"))
	pub := key.Public().(ed25519.PublicKey)
	if got := string(pub); got != string(decodeHexT(t, eventsOldPubkey)) {
		t.Fatal("key pair does not match the published public key")
	}
	const (
		tm     = 1599458364291
		expire = 1599458404
	)

	shipped, _, err := StateInitFromTVC(readTestdata(t, "EventsOld.tvc"))
	if err != nil {
		t.Fatal(err)
	}
	keyedData, err := SetInitDataPubKey(shipped.Data, pub)
	if err != nil {
		t.Fatal(err)
	}
	keyed := *shipped
	keyed.Data = keyedData
	keyedAddr, err := keyed.Address(0)
	if err != nil {
		t.Fatal(err)
	}
	zeroAddr, err := shipped.Address(0)
	if err != nil {
		t.Fatal(err)
	}
	if keyedAddr.String() != eventsOldKeyedAddr || zeroAddr.String() != eventsOldZeroAddr {
		t.Fatalf("addresses %s and %s", keyedAddr, zeroAddr)
	}

	constructor, err := a.Function("constructor")
	if err != nil {
		t.Fatal(err)
	}
	returnValue, err := a.Function("returnValue")
	if err != nil {
		t.Fatal(err)
	}
	sigID := int32(123)

	for _, set := range []struct {
		name  string
		v     map[string]string
		sigID *int32
	}{
		{"encode_v2", v.EncodeV2, nil},
		{"encode_v2_with_signature_id", v.EncodeV2WithSigID, &sigID},
	} {
		t.Run(set.name, func(t *testing.T) {
			type built struct {
				name       string
				msg        *Message
				dataToSign []byte
			}
			var msgs []built

			// Deploy: the signer's key goes into the data before the
			// address is computed; without a signer, the TVC as shipped.
			deploy := ExternalCall{PubKey: pub, Time: tm, Expire: expire, Dst: keyedAddr}
			u, err := constructor.EncodeExternal(deploy)
			if err != nil {
				t.Fatal(err)
			}
			signed, err := constructor.SignExternal(deploy, key, set.sigID)
			if err != nil {
				t.Fatal(err)
			}
			deploy.Unsigned, deploy.Dst = true, zeroAddr
			un, err := constructor.EncodeExternal(deploy)
			if err != nil {
				t.Fatal(err)
			}
			unBody, err := un.Unsigned()
			if err != nil {
				t.Fatal(err)
			}
			msgs = append(msgs,
				built{"deploy_unsigned", NewExternalInMessage(keyedAddr, &keyed, u.Body), u.DataToSign(set.sigID)},
				built{"deploy_signed", NewExternalInMessage(keyedAddr, &keyed, signed), nil},
				built{"deploy_without_sign", NewExternalInMessage(zeroAddr, shipped, unBody), nil},
			)

			// Run: the signer's key fills the pubkey header; no signer, no key.
			run := ExternalCall{Args: map[string]any{"id": "0"}, PubKey: pub, Time: tm, Expire: expire, Dst: keyedAddr}
			u, err = returnValue.EncodeExternal(run)
			if err != nil {
				t.Fatal(err)
			}
			signed, err = returnValue.SignExternal(run, key, set.sigID)
			if err != nil {
				t.Fatal(err)
			}
			run.PubKey, run.Unsigned = nil, true
			un, err = returnValue.EncodeExternal(run)
			if err != nil {
				t.Fatal(err)
			}
			unBody, err = un.Unsigned()
			if err != nil {
				t.Fatal(err)
			}
			msgs = append(msgs,
				built{"run_unsigned", NewExternalInMessage(keyedAddr, nil, u.Body), u.DataToSign(set.sigID)},
				built{"run_signed", NewExternalInMessage(keyedAddr, nil, signed), nil},
				built{"run_without_sign", NewExternalInMessage(keyedAddr, nil, unBody), nil},
			)

			for _, m := range msgs {
				got, err := m.msg.ToBOC()
				if err != nil {
					t.Fatalf("%s: %v", m.name, err)
				}
				want := set.v[m.name+"_message"]
				if b64 := base64.StdEncoding.EncodeToString(got); b64 != want {
					t.Errorf("%s:\n got %s\nwant %s", m.name, b64, want)
				}
				if m.dataToSign != nil {
					if got := base64.StdEncoding.EncodeToString(m.dataToSign); got != set.v[m.name+"_data_to_sign"] {
						t.Errorf("%s: data to sign %s, want %s", m.name, got, set.v[m.name+"_data_to_sign"])
					}
				}
				root, _ := cell.FromBase64(want)
				if id, err := m.msg.ID(); err != nil || id != MessageIDOf(root) {
					t.Errorf("%s: id %s (%v), want %s", m.name, id, err, root.HashHex())
				}
			}
			if set.sigID == nil {
				// The hashes of the reference notes (§8.3).
				for name, h := range map[string]string{
					"deploy_signed":    "d5b3375db0313656657ea7728e87c93fb07c4c246666fac22011fb1cb95a50c4",
					"run_signed":       "4ce690920fa498d6e52051e952093438b9e37fa6d803caa5a724090be2cf78c7",
					"run_without_sign": "e3d5a810480fccc4ae6ccedf9e37682ce0ff3c5f59525efc0ecb30d14e124d35",
				} {
					for _, m := range msgs {
						if m.name == name {
							if id, _ := m.msg.ID(); id.Hex() != h {
								t.Errorf("%s: hash %s, want %s", name, id.Hex(), h)
							}
						}
					}
				}
			}
		})
	}
}
