//go:build lean

package main

import "github.com/spf13/cobra"

// A lean sign-cli (go build -tags lean) holds no build code: these commands
// hand their command line to sign-cli-build (companion.go).

// NewCmdBuildAndSign is build-and-sign, run by sign-cli-build.
func NewCmdBuildAndSign(app *App) *cobra.Command {
	return companionCmd(app, useBuildAndSign, shortBuildAndSign)
}

// NewCmdSBOM groups the SBOM commands: show here, generate and verify run
// by sign-cli-build.
func NewCmdSBOM(app *App) *cobra.Command {
	return newCmdSBOMGroup(
		companionCmd(app, useSBOMGenerate, shortSBOMGenerate),
		companionCmd(app, useSBOMVerify, shortSBOMVerify),
		newCmdSBOMShow(app),
	)
}

// NewCmdAnytree is anytree and its subcommands, run by sign-cli-build.
func NewCmdAnytree(app *App) *cobra.Command {
	return companionCmd(app, "anytree", shortAnytree)
}
