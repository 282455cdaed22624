// Package rpc is the transport of the module contract: the module
// protocol (package pb, gRPC over hashicorp/go-plugin) between the host
// and a module process. A module's main calls Serve; the host starts a
// module with Launch and serves its own services to it (NewHostServer).
//
// The contract itself (package sdk) knows nothing of this package, as
// go-plugin's and Vault's examples keep the interface apart from its
// gRPC glue: a module is written, and tested in-process, against sdk
// alone.
package rpc
