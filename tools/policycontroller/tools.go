//go:build tools

// Package tools pins sigstore policy-controller's tester, which the
// peer tests run on sign-cli's signatures and SBOM attestations with a
// ClusterImagePolicy that holds the signer's public key. It is a module of
// its own, with policy-controller's replace directives, so that its
// Kubernetes and knative dependencies never enter sign-cli's go.mod.
package tools

import (
	_ "github.com/sigstore/policy-controller/cmd/tester"
)
