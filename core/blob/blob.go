// Package blob is the one store of every uploaded file: attachments,
// videos, posters, and the chunks of an upload in progress. Records in
// the database name objects by key; the bytes live behind Store, in a
// folder under DATA by default (Local) or in S3-compatible object
// storage (S3), so that several replicas share the same files.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// Errors every backend returns, so callers test with errors.Is.
var (
	// ErrNotFound: no object has the key.
	ErrNotFound = errors.New("blob: not found")
	// ErrChecksum: the bytes written are not the ones the caller
	// announced (size or SHA-256); nothing is stored.
	ErrChecksum = errors.New("blob: size or checksum mismatch")
	// ErrNoSignedURL: the backend cannot hand out a URL of its own;
	// the host streams the object itself.
	ErrNoSignedURL = errors.New("blob: backend has no signed URLs")
	// ErrBadKey: a key that is empty, absolute, or climbs out with "..".
	ErrBadKey = errors.New("blob: bad key")
)

// Info describes a stored object.
type Info struct {
	Key      string
	Size     int64
	SHA256   string // hex; empty when the backend does not know it
	Modified time.Time
}

// PutOptions say what the caller knows of the bytes before they are
// written. A Put whose bytes disagree fails with ErrChecksum and leaves
// nothing behind.
type PutOptions struct {
	ContentType string
	SHA256      string // hex, optional: the expected digest
}

// Object is an open object: seekable, so http.ServeContent answers range
// requests from it without the whole file in memory.
type Object interface {
	io.ReadSeekCloser
	Info() Info
}

// Store is what every backend implements. Keys are slash-separated
// relative paths ("jyj/2026/12/ab12….pdf").
type Store interface {
	// Put writes exactly size bytes from r under key, replacing any
	// object there, and returns what was stored with its SHA-256. The
	// object appears whole or not at all.
	Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) (Info, error)
	// Open returns the object for reading and seeking.
	Open(ctx context.Context, key string) (Object, error)
	// Stat describes an object without reading it.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes an object; removing a missing one is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn for every object whose key starts with prefix, in
	// key order, for the sweeper and the move command.
	List(ctx context.Context, prefix string, fn func(Info) error) error
	// SignedURL is a short-lived URL from which a browser reads the
	// object directly, served with the given type and download name;
	// ErrNoSignedURL when the backend has none.
	SignedURL(ctx context.Context, key string, ttl time.Duration, contentType, filename string) (string, error)
	// Name names the backend for logs and the county console.
	Name() string
}

// CheckKey refuses keys that could reach outside the store.
func CheckKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, `\`) || strings.ContainsRune(key, 0) {
		return fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	if path.Clean(key) != key {
		return fmt.Errorf("%w: %q", ErrBadKey, key)
	}
	for _, part := range strings.Split(key, "/") {
		if part == ".." || part == "." || strings.HasPrefix(part, ".") {
			// A leading dot is reserved for the local backend's
			// temporary files, which List never shows.
			return fmt.Errorf("%w: %q", ErrBadKey, key)
		}
	}
	return nil
}
