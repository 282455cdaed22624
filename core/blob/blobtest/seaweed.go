package blobtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"yiwang/core/blob"
)

// S3 returns an S3 store on a fresh prefix of a real S3 server: the one
// YIWANG_TEST_S3 names (s3://…), or else a SeaweedFS `weed server -s3`
// this function starts on free loopback ports in a temporary folder and
// stops when the test ends. Without weed on PATH the test is skipped,
// and under CI=1 it fails: CI installs weed, and a silent skip would
// hide that the S3 backend was never run.
func S3(t testing.TB) *blob.S3 {
	t.Helper()
	return NewS3(t, S3Config(t))
}

// NewS3 is a store on a fresh prefix of the bucket cfg names, so tests
// sharing one server never see each other's objects.
func NewS3(t testing.TB, cfg blob.S3Config) *blob.S3 {
	t.Helper()
	cfg.Prefix = "t" + randHex(6) + "/"
	s, err := blob.NewS3(t.Context(), cfg)
	if err != nil {
		t.Fatalf("S3 store: %v", err)
	}
	return s
}

// S3Config starts (or names) the server and returns its bucket's config.
func S3Config(t testing.TB) blob.S3Config {
	t.Helper()
	if raw := os.Getenv("YIWANG_TEST_S3"); raw != "" {
		c, err := blob.ParseS3(raw)
		if err != nil {
			t.Fatal(err)
		}
		c.Create = true
		return c
	}
	weed, err := exec.LookPath("weed")
	if err != nil {
		if gp := os.Getenv("GOPATH"); gp != "" {
			weed = filepath.Join(gp, "bin", "weed")
		} else if home, herr := os.UserHomeDir(); herr == nil {
			weed = filepath.Join(home, "go", "bin", "weed")
		}
		if _, serr := os.Stat(weed); serr != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("weed (SeaweedFS) is not installed; CI must install it (see .ci/run): %v", err)
			}
			t.Skip("weed (SeaweedFS) not installed: the S3 backend is not tested here (CI installs it)")
		}
	}
	return startSeaweed(t, weed)
}

const (
	testAccess = "yiwangtest"
	testSecret = "yiwang-test-secret-key"
)

func startSeaweed(t testing.TB, weed string) blob.S3Config {
	dir := t.TempDir()
	conf := filepath.Join(dir, "s3.json")
	os.WriteFile(conf, []byte(`{"identities":[{"name":"yiwang","credentials":[{"accessKey":"`+testAccess+`","secretKey":"`+testSecret+`"}],"actions":["Admin","Read","Write","List","Tagging"]}]}`), 0o600)
	// weed uses port+10000 for each server's gRPC: both must be free.
	ports := freePorts(t, 4)
	master, volume, filer, s3 := ports[0], ports[1], ports[2], ports[3]
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o750)
	cmd := exec.Command(weed, "server", "-dir="+data, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-master.port="+strconv.Itoa(master), "-volume.port="+strconv.Itoa(volume),
		"-filer", "-filer.port="+strconv.Itoa(filer),
		"-s3", "-s3.port="+strconv.Itoa(s3), "-s3.config="+conf,
		"-volume.max=0", "-master.volumeSizeLimitMB=256")
	logf, _ := os.Create(filepath.Join(dir, "weed.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start weed: %v", err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		logf.Close()
	})
	cfg := blob.S3Config{Endpoint: "127.0.0.1:" + strconv.Itoa(s3), Bucket: "yiwang-test", AccessKey: testAccess,
		SecretKey: testSecret, Region: "us-east-1", Create: true}
	deadline := time.Now().Add(90 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, last = blob.NewS3(ctx, cfg)
		cancel()
		if last == nil {
			return cfg
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "weed.log"))
	if len(log) > 4000 {
		log = log[len(log)-4000:]
	}
	t.Fatalf("SeaweedFS S3 did not answer on %s: %v\n%s", cfg.Endpoint, last, log)
	return cfg
}

// freePorts finds n loopback ports p that are free along with p+10000.
func freePorts(t testing.TB, n int) []int {
	var out []int
	var hold []net.Listener
	defer func() {
		for _, l := range hold {
			l.Close()
		}
	}()
	for tries := 0; len(out) < n && tries < 500; tries++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		if p+10000 > 65535 {
			l.Close()
			continue
		}
		l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+10000))
		if err != nil {
			l.Close()
			continue
		}
		hold = append(hold, l, l2)
		out = append(out, p)
	}
	if len(out) < n {
		t.Fatalf("no %d free port pairs", n)
	}
	return out
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
