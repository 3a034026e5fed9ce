package main

import (
	"github.com/spf13/cobra"

	"github.com/gosh-sh/sign-cli/image"
)

// registryFlags are the flags of every command that reaches a registry.
type registryFlags struct {
	insecure bool
}

func (r *registryFlags) add(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&r.insecure, "insecure-registry", false, "allow plain HTTP to registries that are not on loopback")
}

// registry is the registry client of the flags, its requests traced when
// the run traces them.
func (r *registryFlags) registry(app *App) *image.Registry {
	return app.traceRegistry(&image.Registry{Insecure: r.insecure, UserAgent: "sign-cli/" + version()})
}
