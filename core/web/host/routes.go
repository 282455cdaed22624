package host

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/search"
	"yiwang/core/web"
	"yiwang/core/web/account"
	"yiwang/core/web/admin"
	"yiwang/core/web/county"
	"yiwang/core/web/site"
	"yiwang/tenants"
)

// The route table of the host, every route in one place, top to bottom.
//
// A request meets two muxes. The top one (Handle) holds what lives outside
// any site; everything else goes to ServeSite, which resolves the tenant
// (by Host or /site/<code>/), strips the site prefix, and hands the rest
// to the site mux (HandleSite), whose patterns below are relative to the
// site's base: "GET /art/{id}" is /art/7 on a sub-site's own domain and
// /site/jyj/art/7 on the portal host. Every site route is added through
// HandleSite, so SiteRoutes lists them all (isolation_test.go walks that
// list: every route refuses intruders). Each handler belongs to a room
// under core/web, named for its audience; the shared layer core/web below
// them resolves tenants, draws the layout and answers errors.
//
// Rooms, in the order a request finds them:
//
//	top            /healthz, /static/…, /theme/…; and "/" → ServeSite
//	               (core/web: the shared layer)
//	site           public pages: home, columns, feeds, articles, site map,
//	               the directory, the elder-mode switch (core/web/site)
//	search         /search (core/web/site/search.go), when the server
//	               has an index
//	account        sign-in, tickets, sign-out, second factor, 我的账号 and
//	               the inbox (core/web/account), with EnableAccounts
//	consoles       /admin/ of every site (core/web/admin: consoles.go,
//	               audit.go) and /admin/county/ on the portal
//	               (core/web/county), with EnableAccounts; the county
//	               office's optional pages (calendar, certificates, modules,
//	               search index, storage, supervision) as each is enabled
//	editorial      /admin/articles/, /admin/columns/, /admin/checks/,
//	               /admin/submissions/, /admin/videos/ and the public
//	               /files/ and /video/ (core/web/admin: content*.go,
//	               video.go), with EnableEditorial
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
	s.Handle("GET /healthz", http.HandlerFunc(s.Healthz))
	s.Handle("GET /static/", web.StaticHandler())
	s.Handle("GET /theme/{file}", http.HandlerFunc(web.ThemeHandler))
	s.Handle("/", http.HandlerFunc(s.ServeSite))
}

// siteRoutes are the public pages of every site. The last pattern, "/",
// answers 404 for whatever no room claims.
func (s *Server) siteRoutes(p *site.Pages) {
	s.HandleSite("GET /{$}", web.Cacheable(p.Home))
	s.HandleSite("GET /col/{slug}/{$}", web.Cacheable(p.Column))
	s.HandleSite("GET /col/{slug}", p.AddSlash)
	s.HandleSite("GET /col/{slug}/rss.xml", web.Cacheable(p.Feed))
	s.HandleSite("GET /art/{id}", web.Cacheable(p.Article))
	s.HandleSite("GET /sitemap/{$}", web.Cacheable(p.Sitemap))
	s.HandleSite("GET /sitemap", p.AddSlash)
	s.HandleSite("GET /sites/{$}", web.Cacheable(p.Sites))
	s.HandleSite("GET /prefs/elder", p.ElderToggle)
	s.HandleSite("/", p.NotFound)
}

// searchRoutes are the search page of every site, over idx.
func (s *Server) searchRoutes(p *site.Pages, idx search.Index) {
	// An anonymous visitor's results are everybody's: the page cache keeps
	// them until the index changes (the search worker records that).
	s.HandleSite("GET /search", web.Cacheable(p.Search(idx)))
	s.HandleSite("GET /search/", p.SearchSlash)
}

// accountRoutes are the sign-on flow and the account page.
func (s *Server) accountRoutes(a *account.Accounts) {
	s.HandleSite("GET /account/{$}", a.Home)
	s.HandleSite("POST /account/notices/read", a.NoticesRead)
	s.HandleSite("GET /account/login", a.Login)
	s.HandleSite("GET /account/relay", a.Relay)
	s.HandleSite("GET /account/callback", a.Callback)
	s.HandleSite("GET /account/sso", a.Redeem)
	s.HandleSite("GET /account/logout", a.LogoutPage)
	s.HandleSite("POST /account/logout", a.Logout)
	s.HandleSite("GET /account/logged-out", a.LoggedOut)
	s.HandleSite("POST /account/backchannel-logout", a.Backchannel)
	s.HandleSite("GET /account/totp", a.TotpPage)
	s.HandleSite("POST /account/totp", a.TotpVerify)
}

// consoleRoutes are the consoles every server with sign-on has: the
// department console of each site and the county office's on the portal.
// Their list for the access tests is consoleRoutes in core/web/admin.go;
// d is the department console (core/web/admin), c the county office's
// (core/web/county).
func (s *Server) consoleRoutes(a *account.Accounts, d *admin.Consoles, c *county.Office) {
	s.HandleSite("GET /admin/{$}", a.Staff(account.Allows(tenants.PermConsole), d.Dashboard))
	s.HandleSite("GET /admin/members", a.Staff(account.Allows(tenants.PermMembers), d.Members))
	s.HandleSite("POST /admin/members/grant", a.Staff(account.Allows(tenants.PermMembers), d.MemberChange(true)))
	s.HandleSite("POST /admin/members/revoke", a.Staff(account.Allows(tenants.PermMembers), d.MemberChange(false)))
	s.HandleSite("GET /admin/audit", a.Staff(account.Allows(tenants.PermAuditTenant), d.TenantAudit))
	s.HandleSite("GET /admin/county/{$}", a.County(c.CountyHome))
	s.HandleSite("POST /admin/county/tenants", a.County(c.CountyCreate))
	s.HandleSite("GET /admin/county/tenants/{code}", a.County(c.CountyTenant))
	s.HandleSite("POST /admin/county/tenants/{code}", a.County(c.CountyUpdate))
	s.HandleSite("POST /admin/county/tenants/{code}/status", a.County(c.CountyStatus))
	s.HandleSite("POST /admin/county/tenants/{code}/domains", a.County(c.CountyDomainAdd))
	s.HandleSite("POST /admin/county/tenants/{code}/domains/remove", a.County(c.CountyDomainRemove))
	s.HandleSite("GET /admin/county/roles", a.County(c.CountyRoles))
	s.HandleSite("POST /admin/county/roles/grant", a.County(c.CountyRoleChange(true)))
	s.HandleSite("POST /admin/county/roles/revoke", a.County(c.CountyRoleChange(false)))
	s.HandleSite("POST /admin/county/roles/mfa-reset", a.County(c.CountyMFAReset))
	s.HandleSite("GET /admin/county/audit", a.County(c.CountyAudit))
	s.HandleSite("GET /admin/county/freshness", a.County(c.CountyFreshness))
	s.HandleSite("GET /admin/county/monitor", a.County(c.CountyMonitor))
	s.HandleSite("POST /admin/county/monitor", a.County(c.CountyMonitorSettings))
	s.HandleSite("GET /admin/county/monitor/{code}", a.County(c.CountyMonitorSite))
	s.HandleSite("POST /admin/county/monitor/draft", a.County(c.CountyMonitorDraft))
	s.HandleSite("GET /admin/county/website-report", a.County(c.CountyReports))
	s.HandleSite("GET /admin/county/website-report/{code}", a.County(c.CountyReport))
	s.HandleSite("POST /admin/county/website-report/{code}", a.County(c.CountyReportSave))
	s.HandleSite("GET /healthz/sites", s.monitor.SiteAvailability)
}

// The county office's optional pages, each added by its Enable… call.

func (s *Server) calendarRoutes(c county.CalendarConsole) {
	s.HandleSite("GET /admin/county/calendar", s.CountyGate(c.Page))
	s.HandleSite("POST /admin/county/calendar/days", s.CountyGate(c.SetDay))
	s.HandleSite("POST /admin/county/calendar/days/clear", s.CountyGate(c.ClearDay))
	s.HandleSite("POST /admin/county/calendar/years", s.CountyGate(c.AddYear))
}

func (s *Server) certsRoutes(c *county.CertsConsole) {
	s.HandleSite("GET /admin/county/certs", s.CountyGate(c.Page))
}

func (s *Server) moduleConsoleRoutes(m *county.ModulesPage) {
	s.HandleSite("GET /admin/county/modules", s.CountyGate(m.Page))
	s.HandleSite("POST /admin/county/modules", s.CountyGate(m.Change))
}

func (s *Server) searchConsoleRoutes(c county.SearchConsole) {
	s.HandleSite("GET /admin/county/search", s.CountyGate(c.Page))
	s.HandleSite("GET /admin/county/search/status", s.CountyGate(c.Status))
	s.HandleSite("POST /admin/county/search/rebuild", s.CountyGate(c.Rebuild))
}

func (s *Server) supervisionRoutes(p *county.SupervisionPage) {
	s.HandleSite("GET /admin/county/supervision", s.CountyGate(p.Page))
}

func (s *Server) storageRoutes(p *county.StoragePage) {
	s.HandleSite("GET /admin/county/storage", s.CountyGate(p.Page))
	s.HandleSite("POST /admin/county/storage", s.CountyGate(p.Quota))
}

// articleRoutes are the editorial desk's articles and the public route
// of every stored file.
func (s *Server) articleRoutes(e *admin.Editorial) {
	s.HandleSite("GET /files/{token}/{name}", e.File)

	s.HandleSite("GET /admin/articles/{$}", e.Staff(content.PermReadDesk, e.List))
	s.HandleSite("GET /admin/articles/new", e.Staff(content.PermWrite, e.NewForm))
	s.HandleSite("POST /admin/articles/new", e.Staff(content.PermWrite, e.Create))
	s.HandleSite("POST /admin/articles/check", e.Staff(content.PermWrite, e.CheckJSON))
	s.HandleSite("GET /admin/articles/{id}", e.Staff(content.PermReadDesk, e.View))
	s.HandleSite("GET /admin/articles/{id}/edit", e.Staff(content.PermWrite, e.EditForm))
	s.HandleSite("POST /admin/articles/{id}/edit", e.Staff(content.PermWrite, e.Save))
	s.HandleSite("POST /admin/articles/{id}/autosave", e.Staff(content.PermWrite, e.Autosave))
	s.HandleSite("POST /admin/articles/{id}/submit", e.Staff(content.PermWrite, e.Submit))
	s.HandleSite("POST /admin/articles/{id}/recall", e.Staff(content.PermWrite, e.Action("recalled", func(r *http.Request, a content.Actor, id int64) error {
		return e.Desk().Recall(r.Context(), a, id)
	})))
	s.HandleSite("POST /admin/articles/{id}/approve", e.Staff(content.PermReview, e.Approve))
	s.HandleSite("POST /admin/articles/{id}/send-back", e.Staff(content.PermReview, e.Action("returned", func(r *http.Request, a content.Actor, id int64) error {
		return e.Desk().SendBack(r.Context(), a, id, r.PostFormValue("reason"))
	})))
	s.HandleSite("POST /admin/articles/{id}/unschedule", e.Staff(content.PermReview, e.Action("unscheduled", func(r *http.Request, a content.Actor, id int64) error {
		return e.Desk().Unschedule(r.Context(), a, id)
	})))
	s.HandleSite("POST /admin/articles/{id}/withdraw", e.Staff(content.PermReview, e.Action("withdrawn", func(r *http.Request, a content.Actor, id int64) error {
		rb, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("replaced_by")), 10, 64)
		return e.Desk().Withdraw(r.Context(), a, id, r.PostFormValue("kind"), r.PostFormValue("reason"), rb)
	})))
	s.HandleSite("POST /admin/articles/{id}/upward", e.Staff(content.PermWrite, e.Action("upward", func(r *http.Request, a content.Actor, id int64) error {
		_, err := e.Desk().SubmitUpward(r.Context(), a, id, admin.FormIDs(r, "column"))
		return err
	})))
	s.HandleSite("GET /admin/articles/{id}/versions", e.Staff(content.PermReadDesk, e.Versions))
	s.HandleSite("POST /admin/uploads", e.Staff(content.PermUpload, e.Upload))
}

// columnRoutes are column management and the county's check lists.
func (s *Server) columnRoutes(e *admin.Editorial) {
	s.HandleSite("GET /admin/columns/{$}", e.Staff(content.PermColumns, e.Columns))
	s.HandleSite("POST /admin/columns/{$}", e.Staff(content.PermColumns, e.ColumnAdd))
	s.HandleSite("POST /admin/columns/{id}", e.Staff(content.PermColumns, e.ColumnUpdate))
	s.HandleSite("POST /admin/columns/{id}/hide", e.Staff(content.PermColumns, e.ColumnDo(func(r *http.Request, a content.Actor, id int64) error {
		return e.Desk().SetColumnHidden(r.Context(), a, id, r.PostFormValue("hidden") == "1")
	})))
	s.HandleSite("POST /admin/columns/{id}/move", e.Staff(content.PermColumns, e.ColumnDo(func(r *http.Request, a content.Actor, id int64) error {
		var parent *int64
		if p, err := strconv.ParseInt(r.PostFormValue("parent"), 10, 64); err == nil && p > 0 {
			parent = &p
		}
		return e.Desk().MoveColumn(r.Context(), a, id, parent)
	})))
	s.HandleSite("POST /admin/columns/{id}/shift", e.Staff(content.PermColumns, e.ColumnDo(e.Shift)))
	s.HandleSite("POST /admin/columns/{id}/delete", e.Staff(content.PermColumns, e.ColumnDo(func(r *http.Request, a content.Actor, id int64) error {
		return e.Desk().DeleteColumn(r.Context(), a, id)
	})))

	s.HandleSite("GET /admin/checks/{$}", e.Staff(content.PermCounty, e.Checks))
	s.HandleSite("POST /admin/checks/rules", e.Staff(content.PermCounty, e.ChecksDo(func(r *http.Request, a content.Actor) error {
		_, err := e.Desk().AddRule(r.Context(), a, content.Rule{Kind: r.PostFormValue("kind"), Pattern: r.PostFormValue("pattern"),
			Correction: r.PostFormValue("correction"), Level: r.PostFormValue("level"), Note: r.PostFormValue("note")})
		return err
	})))
	s.HandleSite("POST /admin/checks/rules/{id}/delete", e.Staff(content.PermCounty, e.ChecksDo(func(r *http.Request, a content.Actor) error {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		return e.Desk().DeleteRule(r.Context(), a, id)
	})))
	s.HandleSite("POST /admin/checks/settings", e.Staff(content.PermCounty, e.ChecksDo(func(r *http.Request, a content.Actor) error {
		return e.Desk().SetSetting(r.Context(), a, r.PostFormValue("name"), r.PostFormValue("value"))
	})))
}

// submissionRoutes are 信息报送: the queue, what was sent, outside
// submissions recorded by hand, the statistics.
func (s *Server) submissionRoutes(e *admin.Editorial) {
	s.HandleSite("GET /admin/submissions/{$}", e.Staff(content.PermReadDesk, e.Submissions))
	s.HandleSite("GET /admin/submissions/stats", e.Staff(content.PermReadDesk, e.Stats))
	s.HandleSite("POST /admin/external-submissions", e.Staff(content.PermWrite, e.SubmissionDo(func(r *http.Request, a content.Actor) error {
		on, err := time.ParseInLocation("2006-01-02", r.PostFormValue("date"), content.Location)
		if err != nil {
			return core.Errorf(core.EINVALID, "请填写报送日期")
		}
		_, err = e.Desk().RecordExternal(r.Context(), a, content.ExternalInput{Target: r.PostFormValue("target"), Title: r.PostFormValue("title"),
			SubmittedOn: on, Status: r.PostFormValue("status"), Note: r.PostFormValue("note")})
		return err
	})))
	s.HandleSite("POST /admin/external-submissions/{id}", e.Staff(content.PermWrite, e.SubmissionDo(func(r *http.Request, a content.Actor) error {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		return e.Desk().SetExternalStatus(r.Context(), a, id, r.PostFormValue("status"))
	})))
	s.HandleSite("GET /admin/submissions/{id}", e.Staff(content.PermAdopt, e.Submission))
	s.HandleSite("POST /admin/submissions/{id}/adopt", e.Staff(content.PermAdopt, e.Adopt))
	s.HandleSite("POST /admin/submissions/{id}/reject", e.Staff(content.PermAdopt, e.SubAction(func(r *http.Request, a content.Actor, id int64) error {
		return e.Desk().Reject(r.Context(), a, id, r.PostFormValue("reason"))
	})))
	s.HandleSite("POST /admin/submissions/{id}/keep", e.Staff(content.PermReview, e.SubAction(func(r *http.Request, a content.Actor, id int64) error {
		return e.Desk().KeepCopy(r.Context(), a, id)
	})))
}

// videoRoutes are the video console and the public video page.
func (s *Server) videoRoutes(e *admin.Editorial) {
	s.HandleSite("GET /admin/videos/{$}", e.Staff(content.PermReadDesk, e.VideoList))
	s.HandleSite("POST /admin/videos/uploads", e.Staff(content.PermUpload, e.VideoStart))
	s.HandleSite("POST /admin/videos/uploads/{token}/resume", e.Staff(content.PermUpload, e.VideoResume))
	s.HandleSite("POST /admin/videos/uploads/{token}/chunk", e.Staff(content.PermUpload, e.VideoChunk))
	s.HandleSite("POST /admin/videos/uploads/{token}/finish", e.Staff(content.PermUpload, e.VideoFinish))
	s.HandleSite("GET /admin/videos/{id}", e.Staff(content.PermReadDesk, e.VideoEdit))
	s.HandleSite("POST /admin/videos/{id}", e.Staff(content.PermWrite, e.VideoSave))
	s.HandleSite("POST /admin/videos/{id}/publish", e.Staff(content.PermReview, e.VideoPublish(true)))
	s.HandleSite("POST /admin/videos/{id}/unpublish", e.Staff(content.PermReview, e.VideoPublish(false)))
	s.HandleSite("GET /video/{id}", e.VideoPage)
}
