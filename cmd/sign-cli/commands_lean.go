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
	cmd := &cobra.Command{
		Use:   "sbom",
		Short: shortSBOM,
		Long:  longSBOM,
		Args:  exactArgs(0, "a subcommand (generate, verify or show)"),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(
		companionCmd(app, useSBOMGenerate, shortSBOMGenerate),
		companionCmd(app, useSBOMVerify, shortSBOMVerify),
		newCmdSBOMShow(app),
	)
	return cmd
}

// NewCmdAnytree is anytree and its subcommands, run by sign-cli-build.
func NewCmdAnytree(app *App) *cobra.Command {
	return companionCmd(app, "anytree", shortAnytree)
}
