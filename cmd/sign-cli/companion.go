package main

import "github.com/spf13/cobra"

// The build commands (build-and-sign, sbom generate and verify, anytree)
// link BuildKit, gRPC and OpenTelemetry, whose package initialization costs
// every start of the binary about 3.7 ms, three quarters of the whole. A
// lean sign-cli (go build -tags lean, what make build writes) leaves them
// out and runs them through sign-cli-build, which is sign-cli built whole,
// found beside the running executable or on PATH. A sign-cli built without
// the tag (go install) holds everything and needs no companion.
const (
	companionName = "sign-cli-build"
	// companionEnv names the companion to run, overriding the search.
	companionEnv = "SIGN_CLI_BUILD"
)

// What the build commands say of themselves, the same in both builds.
const (
	useBuildAndSign   = "build-and-sign [CONTEXT] [-f goshfile.yaml|Dockerfile] -t IMAGE"
	shortBuildAndSign = "Build an image from a goshfile or Dockerfile with BuildKit, push it and sign its digest"
	shortSBOM         = "Generate and verify an SBOM that pins every image a build reads"
	longSBOM          = `An SBOM (SPDX 2.3 JSON) that works as a build's lock file: 'generate' records
every image a Dockerfile or goshfile build reads (base images, COPY --from,
RUN --mount=from, for each platform) with its manifest digest; 'verify'
resolves them again and says what changed; 'show' prints the SBOM attested
for an image. See docs/sbom.md.`
	useSBOMGenerate   = "generate [-f FILE] [--platform P]... [--build-arg K=V]... [-o sbom.spdx.json] CONTEXT"
	shortSBOMGenerate = "Write the SBOM of a build: every image it reads, pinned by digest"
	useSBOMVerify     = "verify --sbom sbom.spdx.json [-f FILE] [--platform P]... [--build-arg K=V]... CONTEXT"
	shortSBOMVerify   = "Check that a build still reads exactly the images its SBOM pins"
	shortAnytree      = "Build, push and sign an image from a repository at a commit, locked by its SBOM"
)

// newCmdSBOMGroup is the sbom command, holding subs.
func newCmdSBOMGroup(subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sbom",
		Short: shortSBOM,
		Long:  longSBOM,
		Args:  exactArgs(0, "a subcommand (generate, verify or show)"),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(subs...)
	return cmd
}
