// Command yiwang is the county site-group platform: one binary that
// serves every site and manages tenants, migrations and modules.
package main

import (
	"os"

	"yiwang/core/cli"
)

func main() { os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr)) }
