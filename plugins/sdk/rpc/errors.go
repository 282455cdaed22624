package rpc

import (
	"errors"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"yiwang/plugins/sdk"
)

// Errors cross the wire as gRPC statuses whose message is "code|message":
// the gRPC code serves generic clients, the error code and the Chinese
// message come back out as the same *sdk.Error on the other side, so a
// module's "not found" is the host's 404 page and the host's "not found"
// is the module's. An error without a code keeps its detail for the
// log but shows people nothing of it.

var grpcCodes = map[string]codes.Code{
	sdk.ENOTFOUND: codes.NotFound,
	sdk.EGONE:     codes.OutOfRange,
	sdk.EINVALID:  codes.InvalidArgument,
	sdk.ECONFLICT: codes.AlreadyExists,
	sdk.EFORBID:   codes.PermissionDenied,
	sdk.EUNAVAIL:  codes.Unavailable,
	sdk.EINTERNAL: codes.Internal,
}

// ToStatus converts err for the wire.
func ToStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return err
	}
	var ce *sdk.Error
	if errors.As(err, &ce) {
		c, ok := grpcCodes[ce.Code]
		if !ok {
			c = codes.Unknown
		}
		msg := ce.Message
		if ce.Code == sdk.EINTERNAL && ce.Err != nil {
			msg = ce.Err.Error()
		}
		return status.Error(c, ce.Code+"|"+msg)
	}
	// No code: the detail is for the other side's log.
	return status.Error(codes.Internal, sdk.EINTERNAL+"|"+err.Error())
}

// FromStatus converts a wire error back into a *sdk.Error.
func FromStatus(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	code, msg, found := strings.Cut(st.Message(), "|")
	if !found {
		// Not ours: the transport failing (the plugin gone, a deadline).
		switch st.Code() {
		case codes.Unavailable, codes.Canceled, codes.DeadlineExceeded:
			return &sdk.Error{Code: sdk.EUNAVAIL, Message: "服务暂时不可用，请稍后再试。", Err: err}
		}
		return &sdk.Error{Code: sdk.EINTERNAL, Err: err}
	}
	if _, known := grpcCodes[code]; !known {
		return &sdk.Error{Code: sdk.EINTERNAL, Err: err}
	}
	if code == sdk.EINTERNAL {
		return &sdk.Error{Code: sdk.EINTERNAL, Err: errors.New(msg)}
	}
	return &sdk.Error{Code: code, Message: msg}
}

// IsTransport reports whether err means the other process did not answer
// (gone, restarting, or too slow), as opposed to answering with an error.
func IsTransport(err error) bool {
	st, ok := status.FromError(err)
	if !ok {
		return false
	}
	if strings.Contains(st.Message(), "|") {
		return false
	}
	switch st.Code() {
	case codes.Unavailable, codes.Canceled, codes.DeadlineExceeded, codes.Internal, codes.Unknown:
		return true
	}
	return false
}

// invalid marks err as the caller's mistake, with err's text as the message.
func invalid(err error) error { return &sdk.Error{Code: sdk.EINVALID, Message: err.Error()} }
