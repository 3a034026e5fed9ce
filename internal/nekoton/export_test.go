package nekoton

import (
	"errors"
	"os"
)

// Kill ends b's process as a crash would and returns once b has seen it end.
func Kill(b *Bridge) error {
	if err := b.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	<-b.done
	return nil
}

// StartProcess runs script with node as the bridge, so that tests can stand
// a child of their own in for bridge.mjs.
var StartProcess = startProcess
