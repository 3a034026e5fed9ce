package main

import (
	"encoding/json"
	"io"

	"github.com/spf13/cobra"
)

// outputFlag adds --output text|json to a command.
func outputFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVarP(dst, "output", "o", "text", "output format: text or json")
}

func checkOutput(format string) error {
	if format != "text" && format != "json" {
		return usageError("--output %q: expected text or json", format)
	}
	return nil
}

// writeJSON prints one JSON document on its own line.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
