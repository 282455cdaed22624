package modules_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/modules"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

func TestEnablement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts, _, st := platform(t, db) // portal and jyj enable topics
		rows, err := st.List(ctx, modules.Filter{EnabledOnly: true})
		if err != nil || len(rows) != 2 || rows[0].TenantCode != "portal" || rows[1].TenantCode != "jyj" {
			t.Fatalf("enabled: %+v %v", rows, err)
		}
		settings := `{"title": "专题", "max": 3}`
		if err := st.Enable(ctx, "cli:a", "rsj", "topics", &settings); err != nil {
			t.Fatal(err)
		}
		if err := st.Disable(ctx, "cli:a", "rsj", "topics"); err != nil {
			t.Fatal(err)
		}
		// Enabling again without settings keeps the ones it had.
		if err := st.Enable(ctx, "cli:b", "rsj", "topics", nil); err != nil {
			t.Fatal(err)
		}
		r, err := st.List(ctx, modules.Filter{TenantCode: "rsj"})
		if err != nil || len(r) != 1 || !r[0].Enabled || r[0].Settings != `{"max":3,"title":"专题"}` || r[0].UpdatedBy != "cli:b" {
			t.Fatalf("rsj: %+v %v", r, err)
		}
		tn, _ := ts.ByCode(ctx, "rsj")
		es, err := audit.List(ctx, db, audit.Filter{TenantID: &tn.ID})
		if err != nil {
			t.Fatal(err)
		}
		var acts []string
		for _, e := range es {
			acts = append(acts, e.Action+" "+e.Target)
		}
		if got := strings.Join(acts, ","); got != "module.enable rsj/topics,module.disable rsj/topics,module.enable rsj/topics" {
			t.Errorf("audit (newest first): %s", got)
		}
		for _, tc := range []struct {
			name string
			run  func() error
			code string
		}{
			{"bad settings", func() error { s := `[1,2]`; return st.Enable(ctx, "x", "rsj", "topics", &s) }, core.EINVALID},
			{"not json", func() error { s := `{title:`; return st.Enable(ctx, "x", "rsj", "topics", &s) }, core.EINVALID},
			{"no tenant", func() error { return st.Enable(ctx, "x", "nosuch", "topics", nil) }, core.ENOTFOUND},
			{"bad module name", func() error { return st.Enable(ctx, "x", "rsj", "../x", nil) }, core.EINVALID},
			{"disable never enabled", func() error { return st.Disable(ctx, "x", "gsj", "topics") }, core.ENOTFOUND},
		} {
			if err := tc.run(); core.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
		if _, err := ts.SetStatus(ctx, "x", "gsj", "archived"); err != nil {
			t.Fatal(err)
		}
		if err := st.Enable(ctx, "x", "gsj", "topics", nil); core.ErrorCode(err) != core.ECONFLICT {
			t.Errorf("archived tenant: %v", err)
		}
		if ok, err := st.Touched(ctx); !ok || err != nil {
			t.Errorf("touched: %v %v", ok, err)
		}
		// Process reports, as a running host writes them.
		now := store.Now()
		rep := []modules.ProcessState{{Instance: "a:1", Module: "topics", Version: "1.0.0", State: "running", PID: 42, StartedAt: &now}}
		if err := st.Report(ctx, rep); err != nil {
			t.Fatal(err)
		}
		rep[0].Restarts = 2
		if err := st.Report(ctx, rep); err != nil {
			t.Fatal(err)
		}
		got, err := st.Reports(ctx, time.Minute)
		if err != nil || len(got) != 1 || got[0].Restarts != 2 || got[0].PID != 42 {
			t.Errorf("reports: %+v %v", got, err)
		}
	})
}

func TestModuleDSN(t *testing.T) {
	for _, tc := range []struct{ dsn, data, want string }{
		{"", "/srv/yiwang", "sqlite:/srv/yiwang/modules/topics.db"},
		{"", "", "sqlite:data/modules/topics.db"},
		{"sqlite:/var/lib/y/yiwang.db", "data", "sqlite:/var/lib/y/modules/topics.db"},
		{"sqlite:///var/lib/y/yiwang.db", "data", "sqlite:/var/lib/y/modules/topics.db"},
		{"mysql://yiwang:s3cret@tcp(db:3306)/yiwang", "", "mysql://yiwang:s3cret@tcp(db:3306)/yiwang_topics"},
	} {
		got, err := modules.ModuleDSN(tc.dsn, tc.data, "topics")
		if err != nil || got != tc.want {
			t.Errorf("ModuleDSN(%q, %q) = %q, %v; want %q", tc.dsn, tc.data, got, err, tc.want)
		}
	}
	if _, err := modules.ModuleDSN("mysql://u@tcp(db:3306)/", "", "topics"); err == nil {
		t.Error("a MySQL DSN without a database was accepted")
	}
}
