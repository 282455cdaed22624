package sso_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/sso"
	"yiwang/tenants"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	db    *store.DB
	svc   *sso.Service
	ms    *tenants.Memberships
	ts    *tenants.Store
	clock *clock
}

// testSealKey is the second-factor seal key of the test services.
var testSealKey = []byte("0123456789abcdef0123456789abcdef")

func testConfig(c *clock, key []byte) sso.Config {
	return sso.Config{
		AccountURL: "http://localhost:8080", Now: c.Now, SessionIdle: time.Hour, SessionMax: 8 * time.Hour, SealKey: key,
		// Never contacted by these tests.
		Providers: []sso.ProviderConfig{{Name: "p", Issuer: "http://127.0.0.1:1/idp", ClientID: "yiwang"}},
	}
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	c := &clock{t: time.Now().UTC().Truncate(time.Second)}
	ts := tenants.NewStore(db)
	ms := tenants.NewMemberships(db)
	svc, err := sso.New(context.Background(), db, ts, ms, testConfig(c, testSealKey))
	if err != nil {
		t.Fatal(err)
	}
	return &env{db: db, svc: svc, ms: ms, ts: ts, clock: c}
}

// signIn makes an account and a central session, and a cookie on host.
func (e *env) signIn(t *testing.T, sub, host string) (*sso.Account, int64, string) {
	t.Helper()
	ctx := context.Background()
	acc, err := sso.EnsureAccount(ctx, e.db, "https://idp.example", sub, "张"+sub, sub+"@example.cn", true, store.Now())
	if err != nil {
		t.Fatal(err)
	}
	sid, err := e.svc.StartSession(ctx, acc.ID, "p", "sid-"+sub, "id.token", false, "", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.svc.NewHostSession(ctx, sid, host)
	if err != nil {
		t.Fatal(err)
	}
	return acc, sid, tok
}

func TestConfigIsChecked(t *testing.T) {
	db := storetest.SQLite(t)
	for _, tc := range []struct {
		name string
		cfg  sso.Config
	}{
		{"no providers", sso.Config{AccountURL: "http://localhost:8080"}},
		{"account URL with a path", sso.Config{AccountURL: "http://localhost:8080/x", Providers: []sso.ProviderConfig{{Name: "p", Issuer: "https://i", ClientID: "c"}}}},
		{"account URL not http", sso.Config{AccountURL: "ftp://localhost", Providers: []sso.ProviderConfig{{Name: "p", Issuer: "https://i", ClientID: "c"}}}},
		{"issuer not a URL", sso.Config{AccountURL: "http://localhost", Providers: []sso.ProviderConfig{{Name: "p", Issuer: "idp", ClientID: "c"}}}},
		{"no client id", sso.Config{AccountURL: "http://localhost", Providers: []sso.ProviderConfig{{Name: "p", Issuer: "https://i"}}}},
		{"two providers, one name", sso.Config{AccountURL: "http://localhost", Providers: []sso.ProviderConfig{
			{Name: "p", Issuer: "https://i", ClientID: "c"}, {Name: "p", Issuer: "https://j", ClientID: "c"}}}},
	} {
		if _, err := sso.New(context.Background(), db, tenants.NewStore(db), tenants.NewMemberships(db), tc.cfg); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

func TestSessionLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		acc, sid, tok := e.signIn(t, "a", "localhost:8080")
		u, err := e.svc.Lookup(ctx, "LOCALHOST", tok)
		if err != nil || u == nil || u.ID != acc.ID || u.SessionID != sid || u.Name != "张a" || u.MFA {
			t.Fatalf("lookup: %+v %v", u, err)
		}
		for _, tc := range []struct{ name, host, tok string }{
			{"other host", "jyj.localhost", tok}, {"unknown token", "localhost", "nope"}, {"empty", "localhost", ""},
			{"too long", "localhost", strings.Repeat("x", 200)},
		} {
			if u, err := e.svc.Lookup(ctx, tc.host, tc.tok); u != nil || err != nil {
				t.Errorf("%s: %+v %v", tc.name, u, err)
			}
		}
		// Activity keeps it alive past the idle limit; a gap longer ends it.
		e.clock.Add(50 * time.Minute)
		if u, _ := e.svc.Lookup(ctx, "localhost", tok); u == nil {
			t.Fatal("ended before idle limit")
		}
		e.clock.Add(50 * time.Minute)
		if u, _ := e.svc.Lookup(ctx, "localhost", tok); u == nil {
			t.Fatal("activity did not keep the session alive")
		}
		e.clock.Add(61 * time.Minute)
		if u, _ := e.svc.Lookup(ctx, "localhost", tok); u != nil {
			t.Fatal("idle session still works")
		}
		if ok, _ := e.svc.SessionActive(ctx, sid); ok {
			t.Error("idle session reported active")
		}
		// The absolute limit holds however active the session is.
		_, sid2, tok2 := e.signIn(t, "b", "localhost")
		for i := 0; i < 9; i++ {
			e.clock.Add(55 * time.Minute)
			u, _ := e.svc.Lookup(ctx, "localhost", tok2)
			if (u != nil) != (i < 8) {
				t.Fatalf("after %d×55 min: signed in %v", i+1, u != nil)
			}
		}
		if ok, _ := e.svc.SessionActive(ctx, sid2); ok {
			t.Error("expired session reported active")
		}
		// Ending a session ends every host's cookie.
		_, sid3, tok3 := e.signIn(t, "c", "localhost")
		tok3b, err := e.svc.NewHostSession(ctx, sid3, "jyj.localhost")
		must(t, err)
		must(t, e.svc.SetMFA(ctx, sid3, "totp"))
		if u, _ := e.svc.Lookup(ctx, "jyj.localhost", tok3b); u == nil || !u.MFA || u.MFAMethod != "totp" {
			t.Fatalf("second host: %+v", u)
		}
		must(t, e.svc.EndSession(ctx, sid3, "logout"))
		for host, tk := range map[string]string{"localhost": tok3, "jyj.localhost": tok3b} {
			if u, _ := e.svc.Lookup(ctx, host, tk); u != nil {
				t.Errorf("%s still signed in after logout", host)
			}
		}
		must(t, e.svc.Cleanup(ctx))
	})
}

func TestTickets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		_, sid, _ := e.signIn(t, "a", "localhost")
		issue := func(path string) string {
			t.Helper()
			tk, err := e.svc.IssueTicket(ctx, sid, "jyj.localhost", path)
			must(t, err)
			return tk
		}
		tk := issue("/col/gzdt/?page=2")
		got, ret, err := e.svc.RedeemTicket(ctx, tk, "JYJ.localhost:8080")
		if err != nil || got != sid || ret != "/col/gzdt/?page=2" {
			t.Fatalf("redeem: %d %q %v", got, ret, err)
		}
		expired := issue("/")
		wrong := issue("/")
		ended := issue("/")
		for _, tc := range []struct {
			name string
			tk   string
			host string
			prep func()
		}{
			{"replayed", tk, "jyj.localhost", nil},
			{"expired", expired, "jyj.localhost", func() { e.clock.Add(31 * time.Second) }},
			{"wrong host", wrong, "localhost", func() { e.clock.Add(-31 * time.Second) }},
			{"wrong host, then the right one", wrong, "jyj.localhost", nil},
			{"unknown", "AAAA", "jyj.localhost", nil},
			{"empty", "", "jyj.localhost", nil},
			{"session ended", ended, "jyj.localhost", func() { must(t, e.svc.EndSession(ctx, sid, "logout")) }},
		} {
			if tc.prep != nil {
				tc.prep()
			}
			if _, _, err := e.svc.RedeemTicket(ctx, tc.tk, tc.host); err != sso.ErrTicket() {
				t.Errorf("%s: %v, want the ticket error", tc.name, err)
			}
		}
		// A bad return path becomes the host's root.
		_, sid2, _ := e.signIn(t, "b", "localhost")
		tk2, err := e.svc.IssueTicket(ctx, sid2, "jyj.localhost", "https://evil.example/")
		must(t, err)
		if _, ret, err := e.svc.RedeemTicket(ctx, tk2, "jyj.localhost"); err != nil || ret != "/" {
			t.Errorf("absolute return path: %q %v", ret, err)
		}
	})
}

func TestTOTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		acc, sid, tok := e.signIn(t, "staff", "localhost")
		u, _ := e.svc.Lookup(ctx, "localhost", tok)
		st, err := e.svc.TOTPState(ctx, acc, "思南县人民政府网站群")
		must(t, err)
		if st.Enabled || st.Secret == "" || !strings.HasPrefix(st.QR, "data:image/png;base64,") || !strings.Contains(st.URL, "otpauth://totp/") {
			t.Fatalf("enrolment: %+v", st)
		}
		again, err := e.svc.TOTPState(ctx, acc, "x")
		must(t, err)
		if again.Secret != st.Secret {
			t.Error("pending secret changed between visits")
		}
		code := func(at time.Time) string {
			c, err := totp.GenerateCode(st.Secret, at)
			must(t, err)
			return c
		}
		for _, bad := range []string{"", "12345", "abcdef", "1234567", code(e.clock.Now().Add(-5 * time.Minute))} {
			if err := e.svc.VerifyTOTP(ctx, u, bad, "127.0.0.1"); core.ErrorCode(err) != core.EINVALID {
				t.Errorf("code %q: %v", bad, err)
			}
		}
		must(t, e.svc.VerifyTOTP(ctx, u, code(e.clock.Now()), "127.0.0.1"))
		if u2, _ := e.svc.Lookup(ctx, "localhost", tok); !u2.MFA {
			t.Error("session not marked as passed a second factor")
		}
		if st, _ := e.svc.TOTPState(ctx, acc, "x"); !st.Enabled || st.Secret != "" {
			t.Errorf("after enrolment: %+v", st)
		}
		// A code works once, also in the next session.
		sid2, err := e.svc.StartSession(ctx, acc.ID, "p", "", "", false, "", "")
		must(t, err)
		tok2, err := e.svc.NewHostSession(ctx, sid2, "localhost")
		must(t, err)
		u2, _ := e.svc.Lookup(ctx, "localhost", tok2)
		if err := e.svc.VerifyTOTP(ctx, u2, code(e.clock.Now()), ""); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("reused code: %v", err)
		}
		e.clock.Add(30 * time.Second)
		must(t, e.svc.VerifyTOTP(ctx, u2, code(e.clock.Now()), ""))
		_ = sid
		es, err := audit.List(ctx, db, audit.Filter{})
		must(t, err)
		var actions []string
		for _, x := range es {
			actions = append(actions, x.Action+":"+x.Result)
		}
		if got := strings.Join(actions, ","); !strings.Contains(got, "account.totp.enrol:ok") || !strings.Contains(got, "account.mfa:ok") || !strings.Contains(got, "account.mfa:error") {
			t.Errorf("audit: %s", got)
		}
	})
}

func TestAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := sso.EnsureAccount(ctx, db, "https://idp.example", "s1", "", "", false, store.Now())
		must(t, err)
		if a.DisplayName() == "" || a.LastLoginAt != nil {
			t.Errorf("pre-provisioned: %+v", a)
		}
		b, err := sso.EnsureAccount(ctx, db, "https://idp.example", "s1", "李四", "li@example.cn", true, store.Now())
		must(t, err)
		if b.ID != a.ID || b.Name != "李四" || b.LastLoginAt == nil {
			t.Errorf("login refreshed: %+v", b)
		}
		c, err := sso.EnsureAccount(ctx, db, "https://other.example", "s1", "王五", "", true, store.Now())
		must(t, err)
		if c.ID == a.ID {
			t.Error("same sub at another issuer is the same account")
		}
		for q, want := range map[string]int{"李": 1, "example": 1, "s1": 2, "%": 0, "_": 0} {
			got, err := sso.FindAccounts(ctx, db, q, 10)
			must(t, err)
			if len(got) != want {
				t.Errorf("find %q: %d, want %d", q, len(got), want)
			}
		}
		if _, err := sso.EnsureAccount(ctx, db, "", "x", "", "", false, store.Now()); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("account without issuer: %v", err)
		}
	})
}

func TestSecretIsSharedAndStable(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	n := 0
	gen := func() (string, error) { n++; return "v" + strings.Repeat("x", n), nil }
	a, err := sso.Secret(ctx, db, "k", gen)
	must(t, err)
	b, err := sso.Secret(ctx, db, "k", gen)
	must(t, err)
	if a != b || n != 1 {
		t.Errorf("secret %q then %q, generated %d times", a, b, n)
	}
}

func TestLimiter(t *testing.T) {
	l := sso.NewLimiter(3, time.Minute)
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("event %d refused", i+1)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait <= 0 || wait > 21*time.Second {
		t.Errorf("fourth event: %v, wait %v", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Error("another key shares the bucket")
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestSecondFactorSecretsAreSealed: the database never holds a TOTP
// secret in the clear; one stored in the clear by an earlier release is
// sealed at start and still works; a sealed secret does not open for
// another account; and a service with another key refuses to start.
func TestSecondFactorSecretsAreSealed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		acc, _, tok := e.signIn(t, "staff", "localhost")
		u, _ := e.svc.Lookup(ctx, "localhost", tok)
		st, err := e.svc.TOTPState(ctx, acc, "x")
		must(t, err)
		stored := func(id int64) string {
			var s string
			must(t, db.Get(&s, `SELECT secret FROM sso_totp WHERE account_id = ?`, id))
			return s
		}
		if s := stored(acc.ID); !strings.HasPrefix(s, "v1:") || strings.Contains(s, st.Secret) {
			t.Fatalf("stored secret %q is not sealed", s)
		}
		c, err := totp.GenerateCode(st.Secret, e.clock.Now())
		must(t, err)
		must(t, e.svc.VerifyTOTP(ctx, u, c, ""))

		// Another account's row given this sealed secret: it does not open.
		other, _, otok := e.signIn(t, "other", "localhost")
		ou, _ := e.svc.Lookup(ctx, "localhost", otok)
		_, err = db.Exec(`INSERT INTO sso_totp (account_id, secret, created_at) VALUES (?, ?, ?)`, other.ID, stored(acc.ID), store.Now())
		must(t, err)
		if err := e.svc.VerifyTOTP(ctx, ou, c, ""); err == nil || core.ErrorCode(err) == core.EINVALID {
			t.Errorf("a sealed secret copied to another account: %v, want an internal error", err)
		}

		// A secret in the clear (an earlier release) is sealed at start.
		legacy, _, ltok := e.signIn(t, "legacy", "localhost")
		const plain = "JBSWY3DPEHPK3PXP"
		_, err = db.Exec(`INSERT INTO sso_totp (account_id, secret, created_at) VALUES (?, ?, ?)`, legacy.ID, plain, store.Now())
		must(t, err)
		svc, err := sso.New(ctx, db, e.ts, e.ms, testConfig(e.clock, testSealKey))
		must(t, err)
		if s := stored(legacy.ID); !strings.HasPrefix(s, "v1:") || strings.Contains(s, plain) {
			t.Errorf("legacy secret after start: %q", s)
		}
		lu, _ := svc.Lookup(ctx, "localhost", ltok)
		lc, err := totp.GenerateCode(plain, e.clock.Now())
		must(t, err)
		must(t, svc.VerifyTOTP(ctx, lu, lc, ""))

		// Another key (a replica configured apart) is refused at start.
		if _, err := sso.New(ctx, db, e.ts, e.ms, testConfig(e.clock, []byte("another key, also thirty-two b.."))); !errors.Is(err, sso.ErrSealKeyMismatch) {
			t.Errorf("start with another key: %v, want ErrSealKeyMismatch", err)
		}
		if _, err := sso.New(ctx, db, e.ts, e.ms, testConfig(e.clock, []byte("short"))); err == nil {
			t.Error("start with a short key succeeded")
		}
	})
}
