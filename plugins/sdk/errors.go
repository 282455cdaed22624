package sdk

import (
	"errors"
	"fmt"
	"net/http"
)

// Error codes, shared by the host and every module: the host's web edge
// maps each to one HTTP status (HTTPStatus), in one place, and an error a
// module answers with crosses the wire with its code and message intact.
const (
	ENOTFOUND = "not_found"   // no such tenant, column, article …
	EGONE     = "gone"        // existed, now archived or withdrawn
	EINVALID  = "invalid"     // bad input from a person or a file
	ECONFLICT = "conflict"    // violates uniqueness or state
	EFORBID   = "forbidden"   // not allowed for this user
	EUNAVAIL  = "unavailable" // the database or a module is down
	EINTERNAL = "internal"
)

// Error is an application error: Code is for code, Message is Chinese and
// safe to show a citizen; Err keeps the cause for the log only.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error whose message is shown to people.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// EINTERNAL for any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	}
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the people-facing message of err, never internal detail.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" {
		return e.Message
	}
	return "系统繁忙，请稍后再试。"
}

// HTTPStatus is the HTTP status of an error code: the one mapping that the
// host's pages and modules' answers share. Anything without a
// known code is a dependency failing (the database, a module), said as
// unavailable, never with its detail.
func HTTPStatus(code string) int {
	switch code {
	case ENOTFOUND:
		return http.StatusNotFound
	case EGONE:
		return http.StatusGone
	case EINVALID:
		return http.StatusBadRequest
	case ECONFLICT:
		return http.StatusConflict
	case EFORBID:
		return http.StatusForbidden
	}
	return http.StatusServiceUnavailable
}
