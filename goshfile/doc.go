// Package goshfile reads goshfiles, the YAML build descriptions of container
// images that sign-cli builds with BuildKit, and turns them into BuildKit LLB.
//
// A goshfile names a base image, a list of steps that either run a command
// or copy files from the build context, and the configuration of the
// resulting image:
//
//	apiVersion: 1
//	image: bash:latest
//	steps:
//	  - name: print date
//	    run:
//	      command: ["/usr/local/bin/bash"]
//	      args: ["-c", "date | tee /message.txt"]
//
// The package has three layers, each usable on its own:
//
//   - Parse reads and validates a goshfile. Every problem is reported, each
//     with its line and column, as an ErrorList.
//   - Translate turns a parsed File into an llb.State and the OCI image
//     config of the result. The base image is resolved to a digest through an
//     llb.ImageMetaResolver, so the build is pinned to image@sha256:... and
//     inherits the base's environment, working directory, user, entrypoint,
//     command and labels.
//   - Build does a whole build through a BuildKit gateway client: it reads the
//     goshfile from the "dockerfile" local, resolves and solves it, and
//     returns a gateway result whose metadata carries the image config under
//     exptypes.ExporterImageConfigKey, ready for the image exporter. The
//     gateway frontend (cmd/goshfile-frontend) and sign-cli build-and-sign
//     both call it, so the two paths build the same image.
//
// Build options travel between a BuildKit client and a frontend as string
// maps; ParseFrontendOptions and BuildOptions.FrontendOptions convert
// between the two forms with the same keys the Dockerfile frontend uses
// ("filename", "no-cache", "platform", "label:KEY").
//
// The format is described in docs/goshfile.md.
package goshfile
