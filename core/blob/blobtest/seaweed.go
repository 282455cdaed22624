package blobtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
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
// One server serves every test of the process: a SeaweedFS start takes
// seconds, and each test works on a prefix of its own.
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
	shared.once.Do(func() { shared.cfg, shared.err = startSeaweed(weed) })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.cfg
}

var shared struct {
	once sync.Once
	cfg  blob.S3Config
	err  error
}

const (
	testAccess = "yiwangtest"
	testSecret = "yiwang-test-secret-key"
)

// startSeaweed starts `weed server -s3` for the rest of the process.
// It runs from a goroutine locked to its thread for good, so that the
// parent-death signal (which follows the thread that started the
// child) kills weed exactly when the test process ends, however it ends.
func startSeaweed(weed string) (blob.S3Config, error) {
	type result struct {
		cfg blob.S3Config
		err error
	}
	ch := make(chan result)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread lives as long as the process
		cfg, cmd, err := launchSeaweed(weed)
		ch <- result{cfg, err}
		if cmd != nil {
			cmd.Wait()
		}
		select {} // keep the thread
	}()
	r := <-ch
	return r.cfg, r.err
}

func launchSeaweed(weed string) (blob.S3Config, *exec.Cmd, error) {
	dir, err := os.MkdirTemp("", "yiwang-weed-")
	if err != nil {
		return blob.S3Config{}, nil, err
	}
	conf := filepath.Join(dir, "s3.json")
	os.WriteFile(conf, []byte(`{"identities":[{"name":"yiwang","credentials":[{"accessKey":"`+testAccess+`","secretKey":"`+testSecret+`"}],"actions":["Admin","Read","Write","List","Tagging"]}]}`), 0o600)
	// weed uses port+10000 for each server's gRPC: both must be free.
	ports, err := freePorts(4)
	if err != nil {
		return blob.S3Config{}, nil, err
	}
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
	// Its own process group, and killed with the test process; the
	// folder goes with the process too (removed at the next start).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return blob.S3Config{}, nil, fmt.Errorf("start weed: %w", err)
	}
	removeStale(dir)
	cfg := blob.S3Config{Endpoint: "127.0.0.1:" + strconv.Itoa(s3), Bucket: "yiwang-test", AccessKey: testAccess,
		SecretKey: testSecret, Region: "us-east-1", Create: true}
	exited := make(chan struct{})
	go func() { cmd.Process.Wait(); close(exited) }()
	deadline := time.Now().Add(90 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, last = blob.NewS3(ctx, cfg)
		cancel()
		if last == nil {
			return cfg, nil, nil
		}
		select {
		case <-exited:
			deadline = time.Now()
		case <-time.After(300 * time.Millisecond):
		}
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	log, _ := os.ReadFile(filepath.Join(dir, "weed.log"))
	if len(log) > 4000 {
		log = log[len(log)-4000:]
	}
	return blob.S3Config{}, nil, fmt.Errorf("SeaweedFS S3 did not answer on %s: %v\n%s", cfg.Endpoint, last, log)
}

// removeStale removes the folders of servers of earlier test processes
// (killed with them, their folders left), two hours old or more: no
// test process runs that long, and one of another package may be running now.
func removeStale(keep string) {
	old, _ := filepath.Glob(filepath.Join(os.TempDir(), "yiwang-weed-*"))
	for _, d := range old {
		if st, err := os.Stat(d); err == nil && d != keep && time.Since(st.ModTime()) > 2*time.Hour {
			os.RemoveAll(d)
		}
	}
}

// freePorts finds n loopback ports p that are free along with p+10000.
func freePorts(n int) ([]int, error) {
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
			return nil, err
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
		return nil, fmt.Errorf("no %d free port pairs", n)
	}
	return out, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
