//go:build !linux

package rpc

import "os/exec"

// setParentDeathSignal has no kernel support outside Linux; the plugin's
// watch of its parent (watchParent) ends it within a second instead.
func setParentDeathSignal(*exec.Cmd) {}
