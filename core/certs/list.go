package certs

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/caddyserver/certmagic"
)

// Certificate is a stored certificate as the county console lists it.
type Certificate struct {
	Name, Issuer        string
	NotBefore, NotAfter time.Time
}

// Stored lists the certificates in st: certmagic keeps each under
// certificates/<issuer>/<name>/<name>.crt. The newest per name comes
// first when an issuer changed.
func Stored(ctx context.Context, st certmagic.Storage) ([]Certificate, error) {
	keys, err := st.List(ctx, "certificates", true)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Certificate
	for _, k := range keys {
		if !strings.HasSuffix(k, ".crt") {
			continue
		}
		raw, err := st.Load(ctx, k)
		if err != nil {
			return nil, err
		}
		block, _ := pem.Decode(raw)
		if block == nil {
			return nil, fmt.Errorf("certs: %s holds no PEM certificate", k)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certs: %s: %w", k, err)
		}
		dir := path.Dir(k)
		out = append(out, Certificate{Name: path.Base(dir), Issuer: path.Base(path.Dir(dir)), NotBefore: c.NotBefore, NotAfter: c.NotAfter})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].NotAfter.After(out[j].NotAfter)
	})
	return out, nil
}
