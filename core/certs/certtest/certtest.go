// Package certtest is the conformance suite of certificate storage: what
// certmagic relies on of a certmagic.Storage. Every backend passes it;
// certmagic's own FileStorage runs it too, which keeps the suite honest.
package certtest

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"slices"
	"testing"
	"time"

	"github.com/caddyserver/certmagic"
)

// Run runs the suite on fresh storage made by open.
func Run(t *testing.T, open func(t *testing.T) certmagic.Storage) {
	ctx := context.Background()
	binary := make([]byte, 256)
	for i := range binary {
		binary[i] = byte(i)
	}
	put := func(t *testing.T, s certmagic.Storage, kv map[string][]byte) {
		t.Helper()
		for k, v := range kv {
			if err := s.Store(ctx, k, v); err != nil {
				t.Fatalf("Store(%s): %v", k, err)
			}
		}
	}

	t.Run("store and load", func(t *testing.T) {
		s := open(t)
		if _, err := s.Load(ctx, "certificates/ca/a.com/a.com.crt"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Load of a missing key: %v, want fs.ErrNotExist", err)
		}
		if _, err := s.Stat(ctx, "certificates/ca/a.com/a.com.crt"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Stat of a missing key: %v, want fs.ErrNotExist", err)
		}
		put(t, s, map[string][]byte{"certificates/ca/a.com/a.com.crt": []byte("-----BEGIN CERTIFICATE-----\n"), "ocsp/a.com-1": binary, "empty": {}})
		for k, want := range map[string][]byte{"certificates/ca/a.com/a.com.crt": []byte("-----BEGIN CERTIFICATE-----\n"), "ocsp/a.com-1": binary, "empty": {}} {
			got, err := s.Load(ctx, k)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("Load(%s) = %q, %v", k, got, err)
			}
		}
		// Keys differ by case (an ACME account's e-mail address keeps it).
		put(t, s, map[string][]byte{"acme/ca/users/Ops@x.cn/k": []byte("upper"), "acme/ca/users/ops@x.cn/k": []byte("lower")})
		if a, _ := s.Load(ctx, "acme/ca/users/Ops@x.cn/k"); string(a) != "upper" {
			t.Errorf("keys differing by case share a value: %q", a)
		}
		put(t, s, map[string][]byte{"ocsp/a.com-1": []byte("newer")})
		if got, _ := s.Load(ctx, "ocsp/a.com-1"); string(got) != "newer" {
			t.Errorf("after overwriting: %q", got)
		}
		info, err := s.Stat(ctx, "ocsp/a.com-1")
		if err != nil || !info.IsTerminal || info.Size != 5 || info.Key != "ocsp/a.com-1" || time.Since(info.Modified) > time.Hour {
			t.Errorf("Stat of a key: %+v %v", info, err)
		}
		if info, err := s.Stat(ctx, "certificates/ca"); err != nil || info.IsTerminal {
			t.Errorf("Stat of a directory: %+v %v", info, err)
		}
	})

	t.Run("directories", func(t *testing.T) {
		s := open(t)
		put(t, s, map[string][]byte{
			"certificates/ca/a.com/a.com.crt": []byte("a"), "certificates/ca/a.com/a.com.key": []byte("k"),
			"certificates/ca/b.com/b.com.crt": []byte("b"),
			"acme/a_b/x":                      []byte("1"), "acme/aXb/y": []byte("2"), "acme/a%b/z": []byte("3"),
		})
		for key, want := range map[string]bool{"certificates": true, "certificates/ca": true, "certificates/ca/a.com/a.com.crt": true,
			"certificates/ca/a.co": false, "certificates/ca/a.com/a.com": false, "nothing": false} {
			if got := s.Exists(ctx, key); got != want {
				t.Errorf("Exists(%s) = %v, want %v", key, got, want)
			}
		}
		got, err := s.List(ctx, "certificates/ca", false)
		if want := []string{"certificates/ca/a.com", "certificates/ca/b.com"}; err != nil || !sameSet(got, want) {
			t.Errorf("List(certificates/ca) = %v %v, want %v", got, err, want)
		}
		got, err = s.List(ctx, "certificates/ca", true)
		if want := []string{"certificates/ca/a.com", "certificates/ca/a.com/a.com.crt", "certificates/ca/a.com/a.com.key",
			"certificates/ca/b.com", "certificates/ca/b.com/b.com.crt"}; err != nil || !sameSet(got, want) {
			t.Errorf("List(certificates/ca, recursive) = %v %v, want %v", got, err, want)
		}
		// LIKE's wildcards in a key are plain characters.
		if got, err := s.List(ctx, "acme/a_b", false); err != nil || !sameSet(got, []string{"acme/a_b/x"}) {
			t.Errorf("List(acme/a_b) = %v %v", got, err)
		}
		if got, err := s.List(ctx, "acme/a%b", false); err != nil || !sameSet(got, []string{"acme/a%b/z"}) {
			t.Errorf("List(acme/a%%b) = %v %v", got, err)
		}
		if err := s.Delete(ctx, "certificates/ca/a.com"); err != nil {
			t.Fatal(err)
		}
		if s.Exists(ctx, "certificates/ca/a.com/a.com.key") || !s.Exists(ctx, "certificates/ca/b.com/b.com.crt") {
			t.Error("Delete of a directory removed too little or too much")
		}
		if err := s.Delete(ctx, "certificates/nothing"); err != nil {
			t.Errorf("Delete of a missing key: %v", err)
		}
		if err := s.Delete(ctx, "acme/a_b"); err != nil || !s.Exists(ctx, "acme/aXb/y") {
			t.Errorf("Delete(acme/a_b) removed acme/aXb: %v", err)
		}
	})

	t.Run("locks", func(t *testing.T) {
		s := open(t)
		if err := s.Lock(ctx, "issue_cert_a.com"); err != nil {
			t.Fatal(err)
		}
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		if err := s.Lock(short, "issue_cert_a.com"); err == nil {
			t.Fatal("a held lock was taken again")
		}
		if err := s.Lock(ctx, "issue_cert_b.com"); err != nil {
			t.Fatalf("another name: %v", err)
		}
		if err := s.Unlock(ctx, "issue_cert_a.com"); err != nil {
			t.Fatal(err)
		}
		again, cancel2 := context.WithTimeout(ctx, 5*time.Second)
		defer cancel2()
		if err := s.Lock(again, "issue_cert_a.com"); err != nil {
			t.Fatalf("lock after unlock: %v", err)
		}
		for _, n := range []string{"issue_cert_a.com", "issue_cert_b.com"} {
			if err := s.Unlock(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
