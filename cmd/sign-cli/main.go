// Command sign-cli signs container images with an Everscale wallet key,
// records each signature as a proof contract on the blockchain and as a
// cosign signature in the registry, and checks both.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], &App{
		In:     os.Stdin,
		Out:    os.Stdout,
		Err:    os.Stderr,
		Getenv: os.Getenv,
	})
	stop()
	os.Exit(code)
}
