package goshfile

// Position is a place in a goshfile, 1-based.
type Position struct {
	Line, Column int
}

// File is a parsed and validated goshfile.
type File struct {
	// APIVersion is the format version; 1 is the only one.
	APIVersion int
	// Image is the base image reference as written, or "scratch".
	Image string
	// ImagePos is where Image is written.
	ImagePos Position
	// Env is added to the base image's environment, for the steps and for
	// the resulting image. Order is kept as written.
	Env []EnvVar
	// Workdir is the working directory of the steps and of the image.
	Workdir string
	// User is the user of the resulting image. Steps run as the base
	// image's user unless a step names its own.
	User string
	// Entrypoint and Cmd of the resulting image; nil keeps the base's.
	Entrypoint []string
	Cmd        []string
	// Labels are added to the base image's labels.
	Labels map[string]string
	Steps  []Step
}

// EnvVar is one environment variable.
type EnvVar struct {
	Name, Value string
}

// Step is one build step: exactly one of Run and Copy is set.
type Step struct {
	Name string
	// Env, Workdir and User apply to this step only.
	Env     []EnvVar
	Workdir string
	User    string
	Run     *Run
	Copy    *Copy
	// Cargo mounts the crates prepared for the build (the LocalCargo
	// local) read-only at CargoMountPoint while this run step executes.
	Cargo bool
	Pos   Position
}

// Run executes a program inside the image being built.
type Run struct {
	// Command and Args form the argument vector; no shell is involved.
	Command []string
	Args    []string
	// Cache lists persistent cache directories mounted during the run.
	Cache []CacheMount
}

// CacheMount is a directory kept by BuildKit between builds and mounted at
// Target while a run step executes; its content is not part of the image.
type CacheMount struct {
	Target string
	// ID names the cache; builds that use the same ID share it. Defaults
	// to Target.
	ID      string
	Sharing Sharing
}

// Sharing says how concurrent builds use one cache.
type Sharing string

const (
	SharingShared  Sharing = "shared"
	SharingPrivate Sharing = "private"
	SharingLocked  Sharing = "locked"
)

// Copy copies files from the build context into the image.
type Copy struct {
	// Src are paths inside the build context; they may hold wildcards.
	Src []string
	// Dest is the destination; relative paths are taken from the working
	// directory. A trailing slash, or more than one source, makes it a
	// directory.
	Dest string
	// Chown is "user", "user:group", "uid" or "uid:gid"; empty means root.
	Chown string
	// Mode, when not nil, is set on every copied file.
	Mode *uint32
}
