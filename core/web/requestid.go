package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// Request ids: every request gets one, answered in X-Request-Id, written
// in the host's request log and carried to the module that serves it, so
// one request can be followed across the host and its plugins. Behind a
// trusted proxy (TrustProxy) the proxy's id is kept.

// RequestIDHeader carries the id in answers, to modules, and from a
// trusted proxy.
const RequestIDHeader = "X-Request-Id"

type requestIDKey struct{}

// RequestID returns the id of r, "" outside the handler.
func RequestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	return id
}

func (s *Server) requestIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !s.cfg.TrustProxy || !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validRequestID takes an id a proxy sent: 8 to 64 letters, digits, '-'
// or '_', nothing a log line could be forged with.
func validRequestID(id string) bool {
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
