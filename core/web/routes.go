package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/search"
	"yiwang/sso"
	"yiwang/tenants"
)

// The route table of the host, every route in one place, top to bottom.
//
// A request meets two muxes. The top one (s.top) holds what lives outside
// any site; everything else goes to serveSite, which resolves the tenant
// (by Host or /site/<code>/), strips the site prefix, and hands the rest
// to the site mux (s.site), whose patterns below are relative to the
// site's base: "GET /art/{id}" is /art/7 on a sub-site's own domain and
// /site/jyj/art/7 on the portal host. Every site route is added through
// HandleSite, so SiteRoutes lists them all (isolation_test.go walks that
// list: every route refuses intruders).
//
// Rooms, in the order a request finds them:
//
//	top            /healthz, /static/…, /theme/…; and "/" → serveSite
//	site           public pages: home, columns, feeds, articles, site map,
//	               the directory, the elder-mode switch (handlers.go)
//	search         /search (search.go), when the server has an index
//	account        sign-in, tickets, sign-out, second factor, 我的账号 and
//	               the inbox (account*.go), with EnableAccounts
//	consoles       /admin/ of every site and /admin/county/ on the portal
//	               (admin*.go), with EnableAccounts; the county office's
//	               optional pages (calendar, certificates, modules, search
//	               index, storage, supervision) as each is enabled
//	editorial      /admin/articles/, /admin/columns/, /admin/checks/,
//	               /admin/submissions/, /admin/videos/ and the public
//	               /files/ and /video/ (admin_content*.go, admin_video.go),
//	               with EnableEditorial
//
// Mounted by others, through the same two calls:
//
//	core/modules   every module's /<module>, /<module>/…, /admin/<module>
//	               and /admin/<module>/… on every site (Host.Register: one
//	               HandleSite per pattern, the module's own mux inside the
//	               plugin process routes the rest), its event channels
//	               /<module>/events/<channel> among them
//	core/cli       the built-in identity provider under /idp/ (Handle, top
//	               mux, default run only); /metrics is a listener of its own
//	               (--metrics), not a route of this table

// topRoutes are the routes outside any site.
func (s *Server) topRoutes() {
	s.top.HandleFunc("GET /healthz", s.healthz)
	s.top.Handle("GET /static/", staticHandler())
	s.top.HandleFunc("GET /theme/{file}", themeHandler)
	s.top.HandleFunc("/", s.serveSite)
}

// siteRoutes are the public pages of every site. The last pattern, "/",
// answers 404 for whatever no room claims.
func (s *Server) siteRoutes() {
	s.site = http.NewServeMux()
	s.HandleSite("GET /{$}", cacheable(s.home))
	s.HandleSite("GET /col/{slug}/{$}", cacheable(s.column))
	s.HandleSite("GET /col/{slug}", s.addSlash)
	s.HandleSite("GET /col/{slug}/rss.xml", cacheable(s.feed))
	s.HandleSite("GET /art/{id}", cacheable(s.article))
	s.HandleSite("GET /sitemap/{$}", cacheable(s.sitemap))
	s.HandleSite("GET /sitemap", s.addSlash)
	s.HandleSite("GET /sites/{$}", cacheable(s.sites))
	s.HandleSite("GET /prefs/elder", s.elderToggle)
	s.HandleSite("/", s.notFound)
}

// searchRoutes are the search page of every site, over idx.
func (s *Server) searchRoutes(idx search.Index) {
	// An anonymous visitor's results are everybody's: the page cache keeps
	// them until the index changes (the search worker records that).
	s.HandleSite("GET /search", cacheable(func(w http.ResponseWriter, r *http.Request) { s.searchPage(w, r, idx) }))
	s.HandleSite("GET /search/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.TrimSuffix(siteOf(r).base, "/")+"/search"+query(r), http.StatusMovedPermanently)
	})
}

// accountRoutes are the sign-on flow and the account page.
func (a *Accounts) accountRoutes() {
	s := a.srv
	s.HandleSite("GET /account/{$}", a.home)
	s.HandleSite("POST /account/notices/read", a.noticesRead)
	s.HandleSite("GET /account/login", a.login)
	s.HandleSite("GET /account/relay", a.relay)
	s.HandleSite("GET /account/callback", a.callback)
	s.HandleSite("GET /account/sso", a.redeem)
	s.HandleSite("GET /account/logout", a.logoutPage)
	s.HandleSite("POST /account/logout", a.logout)
	s.HandleSite("GET /account/logged-out", a.loggedOut)
	s.HandleSite("POST /account/backchannel-logout", a.backchannel)
	s.HandleSite("GET /account/totp", a.totpPage)
	s.HandleSite("POST /account/totp", a.totpVerify)
}

// consoleRoutes are the consoles every server with sign-on has: the
// department console of each site and the county office's on the portal.
// Their list for the access tests is consoleRoutes in admin.go.
func (a *Accounts) consoleRoutes() {
	s := a.srv
	s.HandleSite("GET /admin/{$}", a.staff(allows(tenants.PermConsole), a.dashboard))
	s.HandleSite("GET /admin/members", a.staff(allows(tenants.PermMembers), a.members))
	s.HandleSite("POST /admin/members/grant", a.staff(allows(tenants.PermMembers), a.memberChange(true)))
	s.HandleSite("POST /admin/members/revoke", a.staff(allows(tenants.PermMembers), a.memberChange(false)))
	s.HandleSite("GET /admin/audit", a.staff(allows(tenants.PermAuditTenant), a.tenantAudit))
	s.HandleSite("GET /admin/county/{$}", a.county(a.countyHome))
	s.HandleSite("POST /admin/county/tenants", a.county(a.countyCreate))
	s.HandleSite("GET /admin/county/tenants/{code}", a.county(a.countyTenant))
	s.HandleSite("POST /admin/county/tenants/{code}", a.county(a.countyUpdate))
	s.HandleSite("POST /admin/county/tenants/{code}/status", a.county(a.countyStatus))
	s.HandleSite("POST /admin/county/tenants/{code}/domains", a.county(a.countyDomainAdd))
	s.HandleSite("POST /admin/county/tenants/{code}/domains/remove", a.county(a.countyDomainRemove))
	s.HandleSite("GET /admin/county/roles", a.county(a.countyRoles))
	s.HandleSite("POST /admin/county/roles/grant", a.county(a.countyRoleChange(true)))
	s.HandleSite("POST /admin/county/roles/revoke", a.county(a.countyRoleChange(false)))
	s.HandleSite("POST /admin/county/roles/mfa-reset", a.county(a.countyMFAReset))
	s.HandleSite("GET /admin/county/audit", a.county(a.countyAudit))
	s.HandleSite("GET /admin/county/freshness", a.county(a.countyFreshness))
	s.AddCountyNotices(s.freshnessNotice)
	s.HandleSite("GET /admin/county/monitor", a.county(a.countyMonitor))
	s.HandleSite("POST /admin/county/monitor", a.county(a.countyMonitorSettings))
	s.HandleSite("GET /admin/county/monitor/{code}", a.county(a.countyMonitorSite))
	s.HandleSite("POST /admin/county/monitor/draft", a.county(a.countyMonitorDraft))
	s.HandleSite("GET /admin/county/website-report", a.county(a.countyReports))
	s.HandleSite("GET /admin/county/website-report/{code}", a.county(a.countyReport))
	s.HandleSite("POST /admin/county/website-report/{code}", a.county(a.countyReportSave))
	s.AddCountyNotices(s.monitorNotice)
	s.HandleSite("GET /healthz/sites", s.siteAvailability)
}

// The county office's optional pages, each added by its Enable… call.

func (s *Server) calendarRoutes(c calendarConsole) {
	s.HandleSite("GET /admin/county/calendar", s.countyGate(c.page))
	s.HandleSite("POST /admin/county/calendar/days", s.countyGate(c.setDay))
	s.HandleSite("POST /admin/county/calendar/days/clear", s.countyGate(c.clearDay))
	s.HandleSite("POST /admin/county/calendar/years", s.countyGate(c.addYear))
}

func (s *Server) certsRoutes(stored certsLister, https bool) {
	s.HandleSite("GET /admin/county/certs", s.countyGate(func(w http.ResponseWriter, r *http.Request, _ *Accounts, _ *sso.User) {
		s.renderCerts(w, r, stored, https)
	}))
}

func (s *Server) moduleConsoleRoutes(mc ModuleConsole) {
	s.HandleSite("GET /admin/county/modules", s.countyGate(func(w http.ResponseWriter, r *http.Request, _ *Accounts, _ *sso.User) {
		s.renderModuleConsole(w, r, mc, "", http.StatusOK)
	}))
	s.HandleSite("POST /admin/county/modules", s.countyGate(s.moduleChange(mc)))
}

func (s *Server) searchConsoleRoutes(c searchConsole) {
	s.HandleSite("GET /admin/county/search", s.countyGate(c.page))
	s.HandleSite("GET /admin/county/search/status", s.countyGate(c.status))
	s.HandleSite("POST /admin/county/search/rebuild", s.countyGate(c.rebuild))
}

func (s *Server) supervisionRoutes(sv Supervision) {
	s.HandleSite("GET /admin/county/supervision", s.countyGate(s.supervisionPage(sv)))
}

func (e *editorial) storageRoutes() {
	s := e.s
	s.HandleSite("GET /admin/county/storage", s.countyGate(e.storagePage))
	s.HandleSite("POST /admin/county/storage", s.countyGate(e.storageQuota))
}

// articleRoutes are the editorial desk's articles and the public route
// of every stored file.
func (e *editorial) articleRoutes() {
	s := e.s
	s.HandleSite("GET /files/{token}/{name}", e.file)

	s.HandleSite("GET /admin/articles/{$}", e.staff(content.PermReadDesk, e.list))
	s.HandleSite("GET /admin/articles/new", e.staff(content.PermWrite, e.newForm))
	s.HandleSite("POST /admin/articles/new", e.staff(content.PermWrite, e.create))
	s.HandleSite("POST /admin/articles/check", e.staff(content.PermWrite, e.checkJSON))
	s.HandleSite("GET /admin/articles/{id}", e.staff(content.PermReadDesk, e.view))
	s.HandleSite("GET /admin/articles/{id}/edit", e.staff(content.PermWrite, e.editForm))
	s.HandleSite("POST /admin/articles/{id}/edit", e.staff(content.PermWrite, e.save))
	s.HandleSite("POST /admin/articles/{id}/autosave", e.staff(content.PermWrite, e.autosave))
	s.HandleSite("POST /admin/articles/{id}/submit", e.staff(content.PermWrite, e.submit))
	s.HandleSite("POST /admin/articles/{id}/recall", e.staff(content.PermWrite, e.action("recalled", func(r *http.Request, a content.Actor, id int64) error {
		return e.d.Recall(r.Context(), a, id)
	})))
	s.HandleSite("POST /admin/articles/{id}/approve", e.staff(content.PermReview, e.approve))
	s.HandleSite("POST /admin/articles/{id}/send-back", e.staff(content.PermReview, e.action("returned", func(r *http.Request, a content.Actor, id int64) error {
		return e.d.SendBack(r.Context(), a, id, r.PostFormValue("reason"))
	})))
	s.HandleSite("POST /admin/articles/{id}/unschedule", e.staff(content.PermReview, e.action("unscheduled", func(r *http.Request, a content.Actor, id int64) error {
		return e.d.Unschedule(r.Context(), a, id)
	})))
	s.HandleSite("POST /admin/articles/{id}/withdraw", e.staff(content.PermReview, e.action("withdrawn", func(r *http.Request, a content.Actor, id int64) error {
		rb, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("replaced_by")), 10, 64)
		return e.d.Withdraw(r.Context(), a, id, r.PostFormValue("kind"), r.PostFormValue("reason"), rb)
	})))
	s.HandleSite("POST /admin/articles/{id}/upward", e.staff(content.PermWrite, e.action("upward", func(r *http.Request, a content.Actor, id int64) error {
		_, err := e.d.SubmitUpward(r.Context(), a, id, formIDs(r, "column"))
		return err
	})))
	s.HandleSite("GET /admin/articles/{id}/versions", e.staff(content.PermReadDesk, e.versions))
	s.HandleSite("POST /admin/uploads", e.staff(content.PermUpload, e.upload))
}

// columnRoutes are column management and the county's check lists.
func (e *editorial) columnRoutes() {
	s := e.s
	s.HandleSite("GET /admin/columns/{$}", e.staff(content.PermColumns, e.columns))
	s.HandleSite("POST /admin/columns/{$}", e.staff(content.PermColumns, e.columnAdd))
	s.HandleSite("POST /admin/columns/{id}", e.staff(content.PermColumns, e.columnUpdate))
	s.HandleSite("POST /admin/columns/{id}/hide", e.staff(content.PermColumns, e.columnDo(func(r *http.Request, a content.Actor, id int64) error {
		return e.d.SetColumnHidden(r.Context(), a, id, r.PostFormValue("hidden") == "1")
	})))
	s.HandleSite("POST /admin/columns/{id}/move", e.staff(content.PermColumns, e.columnDo(func(r *http.Request, a content.Actor, id int64) error {
		var parent *int64
		if p, err := strconv.ParseInt(r.PostFormValue("parent"), 10, 64); err == nil && p > 0 {
			parent = &p
		}
		return e.d.MoveColumn(r.Context(), a, id, parent)
	})))
	s.HandleSite("POST /admin/columns/{id}/shift", e.staff(content.PermColumns, e.columnDo(e.shift)))
	s.HandleSite("POST /admin/columns/{id}/delete", e.staff(content.PermColumns, e.columnDo(func(r *http.Request, a content.Actor, id int64) error {
		return e.d.DeleteColumn(r.Context(), a, id)
	})))

	s.HandleSite("GET /admin/checks/{$}", e.staff(content.PermCounty, e.checks))
	s.HandleSite("POST /admin/checks/rules", e.staff(content.PermCounty, e.checksDo(func(r *http.Request, a content.Actor) error {
		_, err := e.d.AddRule(r.Context(), a, content.Rule{Kind: r.PostFormValue("kind"), Pattern: r.PostFormValue("pattern"),
			Correction: r.PostFormValue("correction"), Level: r.PostFormValue("level"), Note: r.PostFormValue("note")})
		return err
	})))
	s.HandleSite("POST /admin/checks/rules/{id}/delete", e.staff(content.PermCounty, e.checksDo(func(r *http.Request, a content.Actor) error {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		return e.d.DeleteRule(r.Context(), a, id)
	})))
	s.HandleSite("POST /admin/checks/settings", e.staff(content.PermCounty, e.checksDo(func(r *http.Request, a content.Actor) error {
		return e.d.SetSetting(r.Context(), a, r.PostFormValue("name"), r.PostFormValue("value"))
	})))
}

// submissionRoutes are 信息报送: the queue, what was sent, outside
// submissions recorded by hand, the statistics.
func (e *editorial) submissionRoutes() {
	s := e.s
	s.HandleSite("GET /admin/submissions/{$}", e.staff(content.PermReadDesk, e.submissions))
	s.HandleSite("GET /admin/submissions/stats", e.staff(content.PermReadDesk, e.stats))
	s.HandleSite("POST /admin/external-submissions", e.staff(content.PermWrite, e.submissionDo(func(r *http.Request, a content.Actor) error {
		on, err := time.ParseInLocation("2006-01-02", r.PostFormValue("date"), content.Location)
		if err != nil {
			return core.Errorf(core.EINVALID, "请填写报送日期")
		}
		_, err = e.d.RecordExternal(r.Context(), a, content.ExternalInput{Target: r.PostFormValue("target"), Title: r.PostFormValue("title"),
			SubmittedOn: on, Status: r.PostFormValue("status"), Note: r.PostFormValue("note")})
		return err
	})))
	s.HandleSite("POST /admin/external-submissions/{id}", e.staff(content.PermWrite, e.submissionDo(func(r *http.Request, a content.Actor) error {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		return e.d.SetExternalStatus(r.Context(), a, id, r.PostFormValue("status"))
	})))
	s.HandleSite("GET /admin/submissions/{id}", e.staff(content.PermAdopt, e.submission))
	s.HandleSite("POST /admin/submissions/{id}/adopt", e.staff(content.PermAdopt, e.adopt))
	s.HandleSite("POST /admin/submissions/{id}/reject", e.staff(content.PermAdopt, e.subAction(func(r *http.Request, a content.Actor, id int64) error {
		return e.d.Reject(r.Context(), a, id, r.PostFormValue("reason"))
	})))
	s.HandleSite("POST /admin/submissions/{id}/keep", e.staff(content.PermReview, e.subAction(func(r *http.Request, a content.Actor, id int64) error {
		return e.d.KeepCopy(r.Context(), a, id)
	})))
}

// videoRoutes are the video console and the public video page.
func (e *editorial) videoRoutes() {
	s := e.s
	// A chunk is the one request body larger than a form: allow it on
	// the chunk route alone.
	s.AllowBodyUnder("chunk", content.ChunkSize+64<<10)
	s.HandleSite("GET /admin/videos/{$}", e.staff(content.PermReadDesk, e.videoList))
	s.HandleSite("POST /admin/videos/uploads", e.staff(content.PermUpload, e.videoStart))
	s.HandleSite("POST /admin/videos/uploads/{token}/resume", e.staff(content.PermUpload, e.videoResume))
	s.HandleSite("POST /admin/videos/uploads/{token}/chunk", e.staff(content.PermUpload, e.videoChunk))
	s.HandleSite("POST /admin/videos/uploads/{token}/finish", e.staff(content.PermUpload, e.videoFinish))
	s.HandleSite("GET /admin/videos/{id}", e.staff(content.PermReadDesk, e.videoEdit))
	s.HandleSite("POST /admin/videos/{id}", e.staff(content.PermWrite, e.videoSave))
	s.HandleSite("POST /admin/videos/{id}/publish", e.staff(content.PermReview, e.videoPublish(true)))
	s.HandleSite("POST /admin/videos/{id}/unpublish", e.staff(content.PermReview, e.videoPublish(false)))
	s.HandleSite("GET /video/{id}", e.videoPage)
}
