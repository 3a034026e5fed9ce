// Package signature holds sign-cli's two use cases on top of the packages
// that do the work, as crane sits on top of go-containerregistry:
//
//   - Signer signs images: it resolves each target's digest (package image),
//     deploys the proof contract of (signer's key, digest) on chain (package
//     proof) and writes the cosign signature next to the image in its
//     registry (package image);
//   - Checker verifies many targets at once against the chain, the registry
//     or both, and tells "not verified" from "could not check".
//
// Keys (package keys) are what both are given. Each result carries its
// target, and its error does not repeat it.
package signature
