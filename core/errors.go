// Package core holds what every room of the host shares: the error type that
// carries a code and a message safe to show people. Subpackages hold the rest.
//
// The error type and its codes are the module SDK's (plugins/sdk), so that
// an error crosses between the host and a module as the same value: a
// module's "not found" is the host's 404 page and the reverse.
package core

import "yiwang/plugins/sdk"

// Error is an application error: Code is for code, Message is Chinese and
// safe to show a citizen; Err keeps the cause for the log only.
type Error = sdk.Error

// Error codes. The web edge maps each to one HTTP status, in one place.
const (
	ENOTFOUND = sdk.ENOTFOUND
	EGONE     = sdk.EGONE
	EINVALID  = sdk.EINVALID
	ECONFLICT = sdk.ECONFLICT
	EFORBID   = sdk.EFORBID
	EUNAVAIL  = sdk.EUNAVAIL
	EINTERNAL = sdk.EINTERNAL
)

// Errorf builds an Error whose message is shown to people.
func Errorf(code, format string, args ...any) *Error { return sdk.Errorf(code, format, args...) }

// ErrorCode returns the code of the first *Error in err's chain, or
// EINTERNAL for any other non-nil error.
func ErrorCode(err error) string { return sdk.ErrorCode(err) }

// ErrorMessage returns the people-facing message of err, never internal detail.
func ErrorMessage(err error) string { return sdk.ErrorMessage(err) }

// HTTPStatus is the HTTP status of an error code.
func HTTPStatus(code string) int { return sdk.HTTPStatus(code) }
