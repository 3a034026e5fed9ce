// Command goshfile-frontend is a BuildKit gateway frontend that builds
// images from goshfiles. BuildKit runs it from its image when a build names
// it, either with buildctl's --frontend gateway.v0 --opt source=IMAGE or
// with a "# syntax=IMAGE" first line in the goshfile, which is how
// docker buildx build -f goshfile.yaml reaches it.
//
// It reads the goshfile from the "dockerfile" local (option filename,
// default goshfile.yaml), takes the files of copy steps from the "context"
// local, and accepts the options no-cache, platform and label:KEY=VALUE.
// The work is done by package goshfile, the same code sign-cli
// build-and-sign runs in-process.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/gosh-sh/sign-cli/goshfile"
	"github.com/moby/buildkit/frontend/gateway/grpcclient"
	_ "github.com/moby/buildkit/util/grpcutil/encoding/proto"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "-h", "--help", "help":
			fmt.Println("goshfile-frontend: a BuildKit frontend for goshfile.yaml; BuildKit runs it, see docs/goshfile.md")
			return
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := grpcclient.RunFromEnvironment(ctx, goshfile.Frontend); err != nil {
		// BuildKit shows the frontend's standard error to the user.
		fmt.Fprintf(os.Stderr, "goshfile-frontend: %v\n", err)
		os.Exit(1)
	}
}
