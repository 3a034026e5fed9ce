package sbom

import (
	spb "github.com/moby/buildkit/sourcepolicy/pb"
)

// SourcePolicy is the BuildKit source policy of a build locked to l, for
// the daemon to enforce what Audit checks of sources: the images the SBOM
// pins, each by its digest, and the local directories named by locals
// (BuildKit's "context" and "dockerfile") are allowed; every other source
// is denied. The daemon applies the last rule that matches, so the first
// denies all and the others allow.
func (l *Lock) SourcePolicy(locals ...string) *spb.Policy {
	pol := &spb.Policy{Rules: []*spb.Rule{{
		Action:   spb.PolicyAction_DENY,
		Selector: &spb.Selector{Identifier: "*", MatchType: spb.MatchType_WILDCARD},
	}}}
	allow := func(id string) {
		pol.Rules = append(pol.Rules, &spb.Rule{
			Action:   spb.PolicyAction_ALLOW,
			Selector: &spb.Selector{Identifier: id, MatchType: spb.MatchType_EXACT},
		})
	}
	for _, src := range l.sources {
		allow(src)
	}
	for _, name := range locals {
		allow("local://" + name)
	}
	return pol
}
