// Package pb is the generated gRPC code of the module protocol
// (module.proto). Do not edit the .pb.go files; change module.proto and
// run `go generate ./plugins/sdk/pb` (needs protoc, protoc-gen-go and
// protoc-gen-go-grpc on PATH; see README).
package pb

//go:generate protoc --proto_path=. --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative module.proto
