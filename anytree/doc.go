// Package anytree builds an image from a repository at a commit, with
// everything the build reads locked: it names a build source
// (REPO_URL#COMMIT:DIR, or a local directory), clones the repository into a
// fresh directory and checks out exactly that commit, and reads the
// directory's Gosh.yaml, which says what to build (a Dockerfile or a
// goshfile), how to tag it, where its SBOM is and which dependencies to
// prepare from it.
//
// The build itself is the caller's (sign-cli's build-and-sign): this
// package knows git and Gosh.yaml, not BuildKit.
package anytree
