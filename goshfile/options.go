package goshfile

import (
	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// DefaultFilename is the goshfile read from the "dockerfile" local when no
// filename is given.
const DefaultFilename = "goshfile.yaml"

// Names of the BuildKit locals a build reads: the goshfile itself comes from
// LocalDockerfile, the files that copy steps take from LocalContext. They are
// the names the Dockerfile frontend uses, so buildctl's --local flags and
// docker buildx work unchanged.
const (
	LocalContext    = "context"
	LocalDockerfile = "dockerfile"
	// LocalCargo is the directory of crates a build prepares for run
	// steps with cargo: true: a .cargo directory (config.toml and a cargo
	// local registry) that a Dockerfile reads as the named context of the
	// same name.
	LocalCargo = "gosh-cargo"
)

// CargoMountPoint is where run steps with cargo: true see LocalCargo.
// Cargo reads .cargo/config.toml in every ancestor of its working
// directory, the root included.
const CargoMountPoint = "/.cargo"

// DefaultPlatform is the platform built when none is given.
var DefaultPlatform = ocispecs.Platform{OS: "linux", Architecture: "amd64"}

// BuildOptions control a Build. The zero value builds goshfile.yaml for
// linux/amd64 with caching.
type BuildOptions struct {
	// Filename is the goshfile's path inside the "dockerfile" local;
	// DefaultFilename when empty.
	Filename string
	// NoCache makes every step run again instead of using BuildKit's cache.
	NoCache bool
	// Platform is the platform of the image; DefaultPlatform when nil.
	Platform *ocispecs.Platform
	// Labels are added to the image config, after the base image's labels
	// and the goshfile's own, so they win over both.
	Labels map[string]string
	// Resolver, when set, answers the base image instead of the gateway
	// client: a locked build pins it to its SBOM's digest this way. It
	// exists for in-process builds; a frontend image cannot receive one.
	Resolver llb.ImageMetaResolver
	// NetworkNone runs every run step without a network, so that a step can
	// fetch nothing that was not locked.
	NetworkNone bool
	// Check, when set, sees the build's LLB before it is solved; an error
	// stops the build before the daemon runs anything of it. A locked
	// build audits the LLB this way.
	Check func(def *llb.Definition, platform ocispecs.Platform) error
}

// TranslateOptions control Translate.
type TranslateOptions struct {
	// Resolver answers the base image's digest and config. Required unless
	// the base is "scratch".
	Resolver llb.ImageMetaResolver
	// Platform as in BuildOptions.
	Platform *ocispecs.Platform
	// NoCache as in BuildOptions.
	NoCache bool
	// NetworkNone as in BuildOptions.
	NetworkNone bool
	// Labels as in BuildOptions.
	Labels map[string]string
	// ContextExcludes are .dockerignore patterns of files of the build
	// context that copy steps never see.
	ContextExcludes []string
	// SessionID is the BuildKit session that serves the LocalContext
	// directory copy steps read from. A gateway client names it in
	// BuildOpts().SessionID.
	SessionID string
}
