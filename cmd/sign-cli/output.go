package main

import (
	"encoding/json"
	"errors"
	"io"

	"github.com/spf13/cobra"
)

// outputFormat is --output: text for people, json for programs (one JSON
// document per line). It is a pflag.Value, so a format that is neither is
// refused when the flag is parsed, before any command runs.
type outputFormat string

const (
	textOutput outputFormat = "text"
	jsonOutput outputFormat = "json"
)

func (f *outputFormat) String() string { return string(*f) }
func (f *outputFormat) Type() string   { return "format" }

func (f *outputFormat) Set(s string) error {
	switch v := outputFormat(s); v {
	case textOutput, jsonOutput:
		*f = v
		return nil
	}
	return errors.New("expected text or json")
}

// json reports whether the output is for programs.
func (f outputFormat) json() bool { return f == jsonOutput }

// addOutputFlag adds --output text|json to a command.
func addOutputFlag(cmd *cobra.Command, dst *outputFormat) {
	*dst = textOutput
	cmd.Flags().VarP(dst, "output", "o", "output format: text or json")
}

// writeJSON prints one JSON document on its own line.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
