// Package dockerbuild builds a Dockerfile in-process: BuildKit's own
// Dockerfile frontend (dockerfile2llb and dockerui of the BuildKit version
// in go.mod) runs as a gateway build function of the client, so that the
// client decides how images are resolved and sees the LLB before the
// daemon solves it. A locked build answers images from its SBOM and
// audits the LLB this way (cmd/sign-cli, package sbom).
//
// The frontend options are those of BuildKit's dockerfile.v0 frontend
// (filename, target, build-arg:NAME, label:NAME, platform, no-cache), and
// the locals are "context" and "dockerfile", so that a build reads what
// `buildctl build --frontend dockerfile.v0` would. A `# syntax=` line is not
// followed: the compiled-in frontend always builds, since a frontend image
// would resolve images out of the client's sight.
package dockerbuild
