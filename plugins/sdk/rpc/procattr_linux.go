//go:build linux

package rpc

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal asks the kernel to SIGKILL the module when the
// host dies, however it dies: no handler of the host runs on SIGKILL, so
// only the kernel can do this at once. (The kernel ties it to the thread
// that forked; the plugin's watch of its parent covers that corner.)
func setParentDeathSignal(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
