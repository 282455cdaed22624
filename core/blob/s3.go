package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3 keeps objects in a bucket of S3-compatible object storage (AWS S3,
// MinIO, SeaweedFS, a cloud provider's OSS/COS through their S3 API),
// through minio-go.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // every key lives under it ("yiwang/"), so a bucket can be shared
	name   string
}

var _ Store = (*S3)(nil)

// S3Config is where the bucket is and how to sign in to it.
type S3Config struct {
	Endpoint  string // host:port
	Bucket    string
	Prefix    string
	AccessKey string
	SecretKey string
	Region    string
	Secure    bool // HTTPS to the endpoint
	// Create makes the bucket when it does not exist (tests, a first start).
	Create bool
}

// partSize bounds the memory of one upload: minio-go buffers a part at
// a time. 16 MiB parts hold a 150 GB object within S3's 10,000 parts.
const partSize = 16 << 20

// ParseS3 reads s3://ACCESS:SECRET@host:port/bucket/prefix?region=…&secure=true.
// The secret may instead come from YIWANG_S3_SECRET (the caller fills it).
func ParseS3(raw string) (S3Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" || u.Host == "" {
		return S3Config{}, fmt.Errorf("blob: want s3://ACCESS:SECRET@host:port/bucket[/prefix], got %q", redact(raw))
	}
	c := S3Config{Endpoint: u.Host, Region: u.Query().Get("region"), Secure: u.Query().Get("secure") != "false"}
	if u.User != nil {
		c.AccessKey = u.User.Username()
		c.SecretKey, _ = u.User.Password()
	}
	p := strings.Trim(u.Path, "/")
	c.Bucket, c.Prefix, _ = strings.Cut(p, "/")
	if c.Bucket == "" {
		return S3Config{}, fmt.Errorf("blob: no bucket in %q", redact(raw))
	}
	if c.Prefix != "" {
		c.Prefix += "/"
	}
	c.Create = u.Query().Get("create") == "true"
	return c, nil
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

// NewS3 connects to the bucket and checks that it is there.
func NewS3(ctx context.Context, c S3Config) (*S3, error) {
	cl, err := minio.New(c.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""),
		Secure: c.Secure, Region: c.Region,
		// Path-style addressing works with every S3-compatible server
		// and needs no wildcard DNS for the bucket.
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, fmt.Errorf("blob s3 %s: %w", c.Endpoint, err)
	}
	ok, err := cl.BucketExists(ctx, c.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blob s3 %s bucket %s: %w", c.Endpoint, c.Bucket, err)
	}
	if !ok {
		if !c.Create {
			return nil, fmt.Errorf("blob s3 %s: bucket %s does not exist", c.Endpoint, c.Bucket)
		}
		if err := cl.MakeBucket(ctx, c.Bucket, minio.MakeBucketOptions{Region: c.Region}); err != nil {
			return nil, fmt.Errorf("blob s3 %s make bucket %s: %w", c.Endpoint, c.Bucket, err)
		}
	}
	return &S3{client: cl, bucket: c.Bucket, prefix: c.Prefix, name: "s3:" + c.Endpoint + "/" + c.Bucket + "/" + c.Prefix}, nil
}

func (s *S3) Name() string { return s.name }

func (s *S3) object(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return s.prefix + key, nil
}

// metaSHA is the user metadata that carries an object's digest, so Stat
// and the move command know it without reading the object.
const metaSHA = "Sha256"

// Put streams r to the bucket. The digest is computed on the way; when
// it or the size is not what was announced the object is removed again.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) (Info, error) {
	obj, err := s.object(key)
	if err != nil {
		return Info{}, err
	}
	h := sha256.New()
	cr := &countReader{r: io.TeeReader(io.LimitReader(r, size), h), h: h}
	meta := map[string]string{}
	if opts.SHA256 != "" {
		meta[metaSHA] = strings.ToLower(opts.SHA256)
	}
	ct := opts.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	_, err = s.client.PutObject(ctx, s.bucket, obj, cr, size, minio.PutObjectOptions{
		ContentType: ct, UserMetadata: meta, PartSize: partSize, DisableContentSha256: true,
		// One part in flight: memory stays at one part whatever the file.
		NumThreads: 1,
	})
	if err != nil {
		if cr.eof && cr.n != size {
			return Info{}, fmt.Errorf("%w: %s: %d bytes, want %d", ErrChecksum, key, cr.n, size)
		}
		return Info{}, fmt.Errorf("blob s3 put %s: %w", key, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if cr.n != size || (opts.SHA256 != "" && !strings.EqualFold(opts.SHA256, sum)) {
		s.client.RemoveObject(context.WithoutCancel(ctx), s.bucket, obj, minio.RemoveObjectOptions{})
		return Info{}, fmt.Errorf("%w: %s: %d bytes, want %d", ErrChecksum, key, cr.n, size)
	}
	// A digest not announced is not in the object's metadata (it is
	// sent before the body): Stat then has none, and the move command
	// reads such an object through to check it.
	return Info{Key: key, Size: cr.n, SHA256: sum, Modified: time.Now().UTC()}, nil
}

type countReader struct {
	r   io.Reader
	h   hash.Hash
	n   int64
	eof bool // the body ended (short of size, when n says so)
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil {
		c.eof = true
	}
	return n, err
}

func (s *S3) notFound(err error, key string) error {
	if minio.ToErrorResponse(err).StatusCode == http.StatusNotFound {
		return fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return nil
}

func (s *S3) info(key string, oi minio.ObjectInfo) Info {
	sum := oi.UserMetadata[metaSHA]
	if sum == "" {
		sum = oi.Metadata.Get("X-Amz-Meta-" + metaSHA)
	}
	return Info{Key: key, Size: oi.Size, SHA256: sum, Modified: oi.LastModified.UTC()}
}

func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	obj, err := s.object(key)
	if err != nil {
		return Info{}, err
	}
	oi, err := s.client.StatObject(ctx, s.bucket, obj, minio.StatObjectOptions{})
	if err != nil {
		if nf := s.notFound(err, key); nf != nil {
			return Info{}, nf
		}
		return Info{}, fmt.Errorf("blob s3 stat %s: %w", key, err)
	}
	return s.info(key, oi), nil
}

// s3Object reads with ranged GETs: a Seek followed by a Read asks for
// the bytes from there on, so serving a range reads only that range.
type s3Object struct {
	*minio.Object
	info Info
}

func (o *s3Object) Info() Info { return o.info }

func (s *S3) Open(ctx context.Context, key string) (Object, error) {
	info, err := s.Stat(ctx, key)
	if err != nil {
		return nil, err
	}
	o, err := s.client.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("blob s3 open %s: %w", key, err)
	}
	return &s3Object{o, info}, nil
}

func (s *S3) Delete(ctx context.Context, key string) error {
	obj, err := s.object(key)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, obj, minio.RemoveObjectOptions{}); err != nil {
		if s.notFound(err, key) != nil {
			return nil
		}
		return fmt.Errorf("blob s3 delete %s: %w", key, err)
	}
	return nil
}

func (s *S3) List(ctx context.Context, prefix string, fn func(Info) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for oi := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
		if oi.Err != nil {
			return fmt.Errorf("blob s3 list %s: %w", prefix, oi.Err)
		}
		key := strings.TrimPrefix(oi.Key, s.prefix)
		if strings.HasSuffix(key, "/") {
			continue // a folder marker some servers keep
		}
		if err := fn(s.info(key, oi)); err != nil {
			return err
		}
	}
	return nil
}

// SignedURL presigns a GET that answers with the object's type and, for
// a download, its name.
func (s *S3) SignedURL(ctx context.Context, key string, ttl time.Duration, contentType, filename string) (string, error) {
	obj, err := s.object(key)
	if err != nil {
		return "", err
	}
	q := url.Values{}
	if contentType != "" {
		q.Set("response-content-type", contentType)
	}
	if filename != "" {
		q.Set("response-content-disposition", "inline; filename*=UTF-8''"+url.PathEscape(filename))
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, obj, ttl, q)
	if err != nil {
		return "", fmt.Errorf("blob s3 sign %s: %w", key, err)
	}
	return u.String(), nil
}
