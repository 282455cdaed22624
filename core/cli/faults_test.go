package cli_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// envFaults switches the faults test on: it starts a MariaDB server of
// its own, mounts a small file system for the data folder and takes a
// few minutes, so it stays out of the quick go test ./... and .ci/run
// sets it.
const envFaults = "YIWANG_TEST_FAULTS"

// part names what a request depends on beyond the host itself: "core"
// (the host's own pages and writes, on the database), "files" (the data
// folder's disk) or a module.
type part = string

// attempt is one request of the load generator.
type attempt struct {
	what       string
	parts      []part
	start, end time.Time
	status     int
	err        string // the transport's error, when there was no answer
	notice     bool   // the answer is a 503 with a Chinese notice
	ok         bool
	key        string // what the write was acknowledged as, "" for a read or a refused write
}

// fault is one injected failure: from its start until every part it
// took down answered again.
type fault struct {
	name       string
	parts      []part // nil: everything (the database)
	start, end time.Time
}

func (f fault) hits(a attempt) bool {
	const slack = time.Second // an answer already on its way when recovery was seen
	if !a.end.After(f.start) || !a.start.Before(f.end.Add(slack)) {
		return false
	}
	if f.parts == nil {
		return true
	}
	for _, p := range a.parts {
		if slices.Contains(f.parts, p) {
			return true
		}
	}
	return false
}

// unavailable says whether an answer is the notice the platform gives
// when a part it depends on is down: 503, in Chinese.
func unavailable(status int, body []byte) bool {
	t := string(body)
	return status == http.StatusServiceUnavailable && (strings.Contains(t, "暂时") || strings.Contains(t, "稍后"))
}

// smallDisk mounts a tmpfs of size bytes at a new folder, the data
// folder's own small disk that the test can fill; it is unmounted when
// the test ends.
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0750", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("mount a %d MB tmpfs for the data folder (the test needs root): %v\n%s", size>>20, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Logf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fill writes to dir until its disk is full and returns the filler's
// path: removing it frees the disk.
func fill(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				break
			}
			t.Fatal(err)
		}
	}
	// The last bytes, below one chunk, too.
	for {
		if _, err := f.Write(chunk[:512]); err != nil {
			break
		}
	}
	return p
}

// startMariaDB is a MariaDB server of the test's own, on a free loopback
// port, that the test may kill, restart and stop.
func startMariaDB(t *testing.T) *galeraNode {
	t.Helper()
	for _, f := range []string{"/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db"} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("the faults test needs %s (apt-get install mariadb-server): %v", f, err)
		}
	}
	root, err := os.MkdirTemp("", "yiwang-faults-")
	if err != nil {
		t.Fatal(err)
	}
	n := &galeraNode{t: t, name: "mariadb", dir: root, solo: true, sql: galeraPort(t, map[int]bool{})}
	n.log = filepath.Join(root, "error.log")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("MariaDB error log (end):\n%s", n.tail())
		}
		if n.cmd != nil {
			_ = n.cmd.Process.Signal(syscall.SIGCONT)
		}
		n.kill()
		os.RemoveAll(root)
	})
	out, err := exec.Command("/usr/bin/mariadb-install-db", "--no-defaults", "--datadir="+filepath.Join(root, "data"),
		"--user=root", "--auth-root-authentication-method=normal", "--skip-test-db").CombinedOutput()
	if err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	n.start()
	n.waitUp(time.Minute)
	return n
}

// waitUp waits until the server answers a query.
func (n *galeraNode) waitUp(limit time.Duration) time.Duration {
	n.t.Helper()
	start := time.Now()
	for {
		if db, err := n.open(); err == nil {
			err = db.Ping()
			db.Close()
			if err == nil {
				return time.Since(start)
			}
		}
		if time.Since(start) > limit {
			n.t.Fatalf("%s did not answer within %s:\n%s", n.name, limit, n.tail())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// signal sends sig to the server process.
func (n *galeraNode) signal(sig syscall.Signal) {
	n.t.Helper()
	n.mu.Lock()
	cmd := n.cmd
	n.mu.Unlock()
	if cmd == nil {
		n.t.Fatalf("%s is not running", n.name)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		n.t.Fatal(err)
	}
}

// modulePID is the process id of the host's plugin process for module,
// read off /proc: a child of the host whose command line is `… plugin
// <module>`.
func modulePID(t *testing.T, host *server, module string) int {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		st, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid …
		_, rest, ok := strings.Cut(string(st), ") ")
		f := strings.Fields(rest)
		if !ok || len(f) < 2 || f[1] != fmt.Sprint(host.cmd.Process.Pid) {
			continue
		}
		cmdline, _ := os.ReadFile(strings.TrimSuffix(p, "stat") + "cmdline")
		if strings.Contains(string(cmdline), "plugin\x00"+module+"\x00") || strings.HasSuffix(string(cmdline), "plugin\x00"+module) {
			var pid int
			fmt.Sscan(strings.TrimPrefix(filepath.Dir(p), "/proc/"), &pid)
			return pid
		}
	}
	return 0
}

// attachmentToken is the token in an attachment's URL, …/files/<token>/<name>.
func attachmentToken(u string) string {
	_, rest, _ := strings.Cut(u, "/files/")
	tok, _, _ := strings.Cut(rest, "/")
	return tok
}

// TestFaultsUnderLoad runs the real binary with its four module processes
// against a MariaDB server and a data folder on a small disk of the
// test's own, under a bounded load of reads and acknowledged writes of
// every kind (articles, attachments, letters, disclosure requests), and
// injects faults one after another: kill -9 of each module process, a
// crash and restart of MariaDB, a 10 s stall of MariaDB (SIGSTOP), and a
// full disk under the data folder. During each, only what depends on the
// failed part may fail, and then only as 503 with a Chinese notice; each
// part recovers without anyone restarting the host; and every write
// acknowledged before or during a fault is there afterwards, once, with
// its audit record, the audit chain intact. During the stall, people who
// arrive once the host has seen the database stop answering are told so
// at once rather than left waiting.
func TestFaultsUnderLoad(t *testing.T) {
	if os.Getenv(envFaults) == "" {
		t.Skipf("starts MariaDB, mounts a tmpfs and kills processes: set %s=1", envFaults)
	}
	db := startMariaDB(t)
	const dbName = "yiwang_faults"
	admin, err := db.open()
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + dbName + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatal(err)
	}
	const diskSize = 48 << 20
	data := smallDisk(t, diskSize)
	dsn := "mysql://" + db.dsn(dbName)
	s := startServe(t, data, "--db", dsn, "--no-probes")
	t.Logf("host on MariaDB %d, data folder on a %d MB tmpfs: /healthz after %s", db.sql, diskSize>>20,
		s.waitHealthy(3*time.Minute).Round(time.Millisecond))
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.base, "http://"))
	portal, jyj := "http://localhost:"+port, "http://jyj.localhost:"+port
	modules := []string{"mailbox", "disclosure", "interview", "topics"}

	// Who writes and reads. 教育局's editor saves articles and uploads
	// attachments as the editor page does (the upload with the page's
	// CSRF token in its header, as editor.js sends it); citizens write
	// letters and apply for disclosure; a signed-in reader walks pages
	// the page cache does not answer for it, so that each read asks the
	// part it names.
	editor := newVisitor(t, s)
	editor.signIn(jyj+"/account/login?r=/admin/", "editor")
	articleForm := editor.form(jyj+"/admin/articles/new", "admin/articles/new")
	csrf := regexp.MustCompile(`data-upload="[^"]*" data-csrf="([^"]+)"`).FindStringSubmatch(articleForm.page)
	if csrf == nil {
		t.Fatalf("the editor page has no upload token:\n%s", articleForm.page)
	}
	uploadForm := &form{method: "post", action: jyj + "/admin/uploads", enctype: "multipart/form-data",
		fields: []*field{{name: "file", kind: "file"}}}

	type citizenForms struct {
		who            string
		v              *visitor
		letter, apply  *form
		letters, asked int
	}
	var citizens []*citizenForms
	for _, who := range []string{"citizen", "jyjadmin", "reviewer", "handler"} {
		v := newVisitor(t, s)
		v.signIn(portal+"/account/login?r=/mailbox/", who)
		citizens = append(citizens, &citizenForms{who: who, v: v,
			letter: v.form(portal+"/mailbox/write?box=county_head", "mailbox/write"),
			apply:  v.form(portal+"/disclosure/apply", "disclosure/apply")})
	}
	reader := citizens[0].v
	newcomer := citizens[1].v
	reads := []struct {
		v     *visitor
		url   string
		parts []part
	}{
		{reader, portal + "/", []part{"core"}},
		{editor, jyj + "/admin/", []part{"core"}},
		{reader, portal + "/account/", []part{"core"}},
		{reader, portal + "/mailbox/", []part{"mailbox"}},
		{reader, portal + "/mailbox/my/", []part{"mailbox"}},
		{reader, portal + "/disclosure/list", []part{"disclosure"}},
		{reader, portal + "/disclosure/my/", []part{"disclosure"}},
		{reader, portal + "/interview/", []part{"interview"}},
		{reader, portal + "/topics/", []part{"topics"}},
	}

	var (
		mu       sync.Mutex // guards attempts
		attempts []attempt
		seq      atomic.Int64
		stop     = make(chan struct{})
		wg       sync.WaitGroup
	)
	record := func(a attempt) {
		mu.Lock()
		attempts = append(attempts, a)
		mu.Unlock()
	}
	// loop runs fn every pause until the load stops; fn says whether it
	// made a request at all (a person with none left this hour does not).
	loop := func(pause time.Duration, fn func() (attempt, bool)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				a, made := fn()
				if made {
					record(a)
				}
				wait := pause
				if !a.ok {
					wait = max(pause, 200*time.Millisecond) // an outage is not a busy loop
				}
				select {
				case <-stop:
					return
				case <-time.After(wait):
				}
			}
		}()
	}
	answer := func(a attempt, status int, body []byte, err error) attempt {
		a.end, a.status = time.Now(), status
		if err != nil {
			a.err = err.Error()
		}
		a.notice = unavailable(status, body)
		return a
	}

	// Reads.
	for i := range 2 {
		loop(50*time.Millisecond, func() (attempt, bool) {
			r := reads[(int(seq.Add(1))+i)%len(reads)]
			a := attempt{what: "GET " + strings.TrimPrefix(strings.TrimPrefix(r.url, portal), jyj), parts: r.parts, start: time.Now()}
			got := r.v.getQuietly(r.url)
			a = answer(a, got.status, []byte(got.page), got.err)
			// A page that sends a signed-in person to sign in again has
			// lost them: that is a failure too, not a page served.
			a.ok = got.err == nil && got.status == http.StatusOK && got.url == r.url
			if got.err == nil && got.url != r.url {
				a.err = "ended on " + got.url
			}
			return a, true
		})
	}
	// Articles, as the editor's autosave saves them.
	for range 2 {
		loop(100*time.Millisecond, func() (attempt, bool) {
			tag := fmt.Sprintf("fault-article-%06d", seq.Add(1))
			r := saveArticle(editor.c, articleForm, 0, tag)
			a := attempt{what: "article autosave", parts: []part{"core"}, start: r.start, end: r.end, status: r.status, err: r.err, ok: r.acked}
			if r.acked {
				a.key = fmt.Sprint(r.id)
			} else {
				a.notice = r.status == http.StatusServiceUnavailable
			}
			return a, true
		})
	}
	// Attachments: a small PNG, each with its own bytes.
	uploaded := map[string][]byte{} // URL → bytes, guarded by mu
	loop(300*time.Millisecond, func() (attempt, bool) {
		n := seq.Add(1)
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte(fmt.Sprintf("%08d", n)), 256)...)
		f := uploadForm.clone()
		f.attach(fmt.Sprintf("图%d.png", n), png)
		a := attempt{what: "attachment upload", parts: []part{"core", "files"}, start: time.Now()}
		status, body, err := post(editor.c, f, "X-CSRF-Token", csrf[1])
		a = answer(a, status, body, err)
		if m := regexp.MustCompile(`"url":"([^"]+)"`).FindSubmatch(body); status == http.StatusOK && m != nil {
			a.ok, a.key = true, absolute(jyj+"/", string(m[1]))
			mu.Lock()
			uploaded[a.key] = png
			mu.Unlock()
		} else if status == http.StatusServiceUnavailable {
			// The upload answers JSON for editor.js to show: its
			// error is the Chinese notice.
			a.notice = bytes.Contains(body, []byte("暂时")) || bytes.Contains(body, []byte("稍后"))
		}
		return a, true
	})
	// Letters and disclosure requests: each person may send five of
	// each an hour, and the mailbox twenty from one address, so these
	// come every few seconds, spread over the faults.
	var letterN, requestN atomic.Int64
	loop(5*time.Second, func() (attempt, bool) {
		i := int(letterN.Add(1))
		c := citizens[i%len(citizens)]
		a := attempt{what: "letter", parts: []part{"mailbox"}, start: time.Now()}
		if c.letters >= 4 {
			return a, false
		}
		c.letters++
		r := postLetter(c.v.c, c.letter, 0, fmt.Sprintf("fault-letter-%03d", i))
		a.end, a.status, a.err, a.ok, a.key = r.end, r.status, r.err, r.number != "", r.number
		a.notice = r.status == http.StatusServiceUnavailable
		return a, true
	})
	loop(5*time.Second, func() (attempt, bool) {
		i := int(requestN.Add(1))
		c := citizens[(i+1)%len(citizens)]
		a := attempt{what: "disclosure request", parts: []part{"disclosure", "files"}, start: time.Now()}
		if c.asked >= 4 {
			return a, false
		}
		c.asked++
		f := c.apply.clone()
		f.set("id_number", "52222719900101987"+fmt.Sprint(i%10))
		f.set("phone", "13812345678")
		f.set("description", fmt.Sprintf("fault-request-%03d 申请公开本县 2026 年道路维修经费的使用情况", i))
		f.attach("身份证.png", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{byte(i)}, 2048)...))
		status, body, err := post(c.v.c, f)
		a = answer(a, status, body, err)
		if m := regexp.MustCompile(`申请编号\s*([A-Z]{2}\d+)`).FindStringSubmatch(visibleText(string(body))); status == http.StatusOK && m != nil {
			a.ok, a.key = true, m[1]
		}
		return a, true
	})

	// Each part's own check: answered by the part, not by a cache.
	healthy := map[part]func() bool{
		"core": func() bool { return reader.getQuietly(portal+"/account/").status == http.StatusOK },
		"files": func() bool {
			f := uploadForm.clone()
			f.attach("探测.png", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...))
			status, _, err := post(editor.c, f, "X-CSRF-Token", csrf[1])
			return err == nil && status == http.StatusOK
		},
		"mailbox":    func() bool { return reader.getQuietly(portal+"/mailbox/my/").status == http.StatusOK },
		"disclosure": func() bool { return reader.getQuietly(portal+"/disclosure/my/").status == http.StatusOK },
		"interview":  func() bool { return reader.getQuietly(portal+"/interview/").status == http.StatusOK },
		"topics":     func() bool { return reader.getQuietly(portal+"/topics/").status == http.StatusOK },
	}
	var faults []fault
	// recover waits until every part of f answers again, and records f.
	recoverFrom := func(f fault, limit time.Duration) {
		t.Helper()
		parts := f.parts
		if parts == nil {
			parts = []part{"core", "files", "mailbox", "disclosure", "interview", "topics"}
		}
		for _, p := range parts {
			for !healthy[p]() {
				if time.Since(f.start) > limit {
					t.Fatalf("%s: %s did not recover within %s of the fault", f.name, p, limit)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		f.end = time.Now()
		faults = append(faults, f)
		t.Logf("%s: recovered %s after it began", f.name, f.end.Sub(f.start).Round(time.Millisecond))
	}
	calm := func() { time.Sleep(3 * time.Second) }

	loadStart := time.Now()
	calm()

	// 1. Each module process, killed as a crash kills it.
	for _, m := range modules {
		pid := modulePID(t, s, m)
		if pid == 0 {
			t.Fatalf("no plugin process of %s under the host", m)
		}
		f := fault{name: "kill -9 " + m, parts: []part{m}, start: time.Now()}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		recoverFrom(f, time.Minute)
		if again := modulePID(t, s, m); again == 0 || again == pid {
			t.Errorf("%s: the host runs process %d after %d was killed", m, again, pid)
		}
		calm()
	}

	// 2. MariaDB crashes (kill -9) and is started again 3 s later.
	f := fault{name: "MariaDB kill -9 and restart", start: time.Now()}
	db.kill()
	time.Sleep(3 * time.Second)
	db.start()
	t.Logf("MariaDB answers again %s after its restart", db.waitUp(time.Minute).Round(time.Millisecond))
	recoverFrom(f, 2*time.Minute)
	calm()

	// 3. MariaDB stalls for 10 s: connections open, nothing answered.
	f = fault{name: "MariaDB stalled 10 s (SIGSTOP)", start: time.Now()}
	db.signal(syscall.SIGSTOP)
	// The load's own requests are all waiting by now; people who come
	// later, 7 s into the stall, ask afresh.
	time.Sleep(7 * time.Second)
	var arrivals []attempt
	for range 4 {
		a := attempt{what: "GET /account/ (arriving during the stall)", parts: []part{"core"}, start: time.Now()}
		got := newcomer.getQuietly(portal + "/account/")
		a = answer(a, got.status, []byte(got.page), got.err)
		a.ok = got.err == nil && got.status == http.StatusOK && got.url == portal+"/account/"
		arrivals = append(arrivals, a)
		record(a)
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Until(f.start.Add(10 * time.Second)))
	db.signal(syscall.SIGCONT)
	recoverFrom(f, time.Minute)
	calm()

	// 4. The data folder's disk fills up; freed after 5 s.
	f = fault{name: "data folder's disk full", parts: []part{"files"}, start: time.Now()}
	filler := fill(t, data)
	time.Sleep(5 * time.Second)
	if healthy["files"]() {
		t.Error("an upload was accepted on a full disk")
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	recoverFrom(f, time.Minute)
	calm()

	close(stop)
	wg.Wait()
	loadTime := time.Since(loadStart)

	// Judge every attempt: a failure must fall in a fault of a part it
	// depends on, and be the Chinese 503 notice.
	during, failedInside, outside := 0, 0, 0
	var slowest time.Duration
	kinds := map[string]int{}
	for _, a := range attempts {
		var in []string
		for _, f := range faults {
			if f.hits(a) {
				in = append(in, f.name)
			}
		}
		if len(in) > 0 {
			during++
			slowest = max(slowest, a.end.Sub(a.start))
		}
		if a.ok {
			continue
		}
		k := fmt.Sprintf("%s: HTTP %d %s", a.what, a.status, a.err)
		kinds[k]++
		switch {
		case len(in) == 0:
			outside++
			if outside <= 10 {
				t.Errorf("%s failed outside any fault of what it depends on (%v): HTTP %d %s at +%s",
					a.what, a.parts, a.status, a.err, a.start.Sub(loadStart).Round(time.Millisecond))
			}
		case !a.notice:
			failedInside++
			t.Errorf("%s during %v: HTTP %d %s, not the Chinese 503 notice", a.what, in, a.status, a.err)
		default:
			failedInside++
		}
	}

	// Once the host's watch has seen the database stop answering (two
	// missed pings, about three seconds), requests are answered at once
	// with the notice instead of waiting out the stall.
	quick := 0
	var slowestArrival time.Duration
	for _, a := range arrivals {
		slowestArrival = max(slowestArrival, a.end.Sub(a.start))
		if a.notice {
			quick++
		}
	}
	if quick == 0 {
		t.Errorf("of %d requests arriving 7 s into the stall, none was answered with the 503 notice: %+v", len(arrivals), arrivals)
	}
	t.Logf("stall: of %d requests arriving 7 s in, %d answered 503 at once (slowest answer %s)", len(arrivals), quick, slowestArrival.Round(time.Millisecond))

	// Every acknowledged write is there once.
	acked := map[string][]string{}
	for _, a := range attempts {
		if a.ok && a.key != "" {
			acked[a.what] = append(acked[a.what], a.key)
		}
	}
	lost, twice := 0, 0
	count := func(what, query string, keys []string) {
		t.Helper()
		var rows []struct {
			K string `db:"k"`
			N int    `db:"n"`
		}
		if err := admin.Select(&rows, query); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		have := map[string]int{}
		for _, r := range rows {
			have[r.K] = r.N
			if r.N > 1 {
				twice++
				t.Errorf("%s %s stored %d times", what, r.K, r.N)
			}
		}
		for _, k := range keys {
			if have[k] != 1 {
				lost++
				t.Errorf("%s %s acknowledged, stored %d times", what, k, have[k])
			}
		}
		t.Logf("%s: %d acknowledged, %d stored", what, len(keys), len(rows))
	}
	count("article", `SELECT CAST(MIN(id) AS CHAR) AS k, COUNT(*) AS n FROM `+dbName+`.articles WHERE title LIKE 'fault-article-%' GROUP BY title`, acked["article autosave"])
	var tokens []string
	for _, u := range acked["attachment upload"] {
		tokens = append(tokens, attachmentToken(u))
	}
	count("attachment", `SELECT token AS k, COUNT(*) AS n FROM `+dbName+`.attachments WHERE name LIKE '图%' GROUP BY token`, tokens)
	count("letter", `SELECT number AS k, COUNT(*) AS n FROM `+dbName+`_mailbox.mailbox_letters WHERE subject LIKE 'fault-letter-%' GROUP BY subject, number`, acked["letter"])
	count("disclosure request", `SELECT number AS k, COUNT(*) AS n FROM `+dbName+`_disclosure.disclosure_requests WHERE description LIKE 'fault-request-%' GROUP BY description, number`, acked["disclosure request"])
	// Each stored attachment reads back as it was sent.
	mu.Lock()
	for u, want := range uploaded {
		if got := editor.getQuietly(u); got.status != http.StatusOK || !bytes.Equal([]byte(got.page), want) {
			lost++
			t.Errorf("attachment %s: HTTP %d, %d bytes back of %d", u, got.status, len(got.page), len(want))
		}
	}
	mu.Unlock()

	// Each acknowledged write has its one audit record, and the chain
	// holds.
	audited := map[string]int{}
	var rows []struct {
		Target string `db:"target"`
		N      int    `db:"n"`
	}
	if err := admin.Select(&rows, `SELECT target, COUNT(*) AS n FROM `+dbName+`.audit_log
		WHERE action IN ('article.create', 'attachment.upload', 'mailbox.letter.submit', 'disclosure.request.submit', 'request.submit') GROUP BY target`); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		audited[r.Target] = r.N
	}
	unaudited := 0
	for what, keys := range acked {
		for _, k := range keys {
			target := k
			switch what {
			case "article autosave":
				target = "article:" + k
			case "attachment upload":
				target = "attachment:" + attachmentToken(k)
			}
			if n := audited[target]; n != 1 {
				unaudited++
				if unaudited <= 10 {
					t.Errorf("%s %s acknowledged, audited %d times", what, k, n)
				}
			}
		}
	}
	code, out, stderr := runBinary(t, "audit", "verify", "--db", dsn, "--data", data)
	if code != 0 {
		t.Errorf("yiwang audit verify after the faults: exit %d\n%s%s", code, out, stderr)
	}

	// The figures.
	t.Logf("%d faults injected over %s of load", len(faults), loadTime.Round(time.Second))
	for _, f := range faults {
		n, e := 0, 0
		for _, a := range attempts {
			if f.hits(a) {
				n++
				if !a.ok {
					e++
				}
			}
		}
		t.Logf("  %-32s %5d requests to what it took down, %4d answered 503, recovered after %s", f.name, n, e, f.end.Sub(f.start).Round(time.Millisecond))
	}
	t.Logf("%d requests in all, %d during a fault of what they depend on (slowest %s); %d failed inside a fault, all as the Chinese 503 notice unless reported above; %d errors outside the failed part",
		len(attempts), during, slowest.Round(time.Millisecond), failedInside, outside)
	for k, n := range kinds {
		t.Logf("  not acknowledged: %4d × %s", n, k)
	}
	t.Logf("writes acknowledged: %d articles, %d attachments, %d letters, %d disclosure requests; %d lost, %d stored twice, %d without exactly one audit record; audit verify: %s",
		len(acked["article autosave"]), len(acked["attachment upload"]), len(acked["letter"]), len(acked["disclosure request"]), lost, twice, unaudited, strings.TrimSpace(out))
	if len(acked["letter"]) == 0 || len(acked["disclosure request"]) == 0 || len(acked["article autosave"]) == 0 || len(acked["attachment upload"]) == 0 {
		t.Errorf("some kind of write was never acknowledged: %v", map[string]int{"articles": len(acked["article autosave"]),
			"attachments": len(acked["attachment upload"]), "letters": len(acked["letter"]), "requests": len(acked["disclosure request"])})
	}
	t.Logf("host's warnings and errors:\n%s", logSummary(s.stderr.String()))
}
