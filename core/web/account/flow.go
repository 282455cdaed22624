package account

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/content"
	"yiwang/core/web"
	"yiwang/sso"
	"yiwang/tenants"
)

// Login starts a sign-in. On a tenant host it hands over to the central
// host with an absolute return URL; on the central host, a browser that
// already has a session goes straight back (with a ticket when the return
// is on another host), and one without goes to the provider.
func (a *Accounts) Login(w http.ResponseWriter, r *http.Request) {
	if !a.allow(w, r, a.limLogin, "login:"+a.ClientIP(r)) {
		return
	}
	q := r.URL.Query()
	t, ok := a.returnTarget(r, q.Get("r"))
	if !ok {
		t, _ = url.Parse(a.siteHome(r))
	}
	w.Header().Set("Cache-Control", "no-store")
	if !a.central(r) {
		v := url.Values{"r": {t.String()}}
		if p := q.Get("p"); p != "" {
			v.Set("p", p)
		}
		http.Redirect(w, r, a.sso.AccountURL()+"/account/login?"+v.Encode(), http.StatusSeeOther)
		return
	}
	if u := web.UserOf(r); u != nil && q.Get("again") == "" {
		a.proceed(w, r, u.SessionID, t)
		return
	}
	provs := a.sso.Providers()
	name := q.Get("p")
	if name == "" && len(provs) == 1 {
		name = provs[0].Name
	}
	if name == "" {
		type choice struct{ Label, URL string }
		var cs []choice
		for _, p := range provs {
			cs = append(cs, choice{p.Label, "?" + url.Values{"r": {t.String()}, "p": {p.Name}}.Encode()})
		}
		a.srv.RenderStatus(w, r, "account_login", "登录", []web.Crumb{{Name: "登录", URL: ""}}, cs, http.StatusOK)
		return
	}
	authURL, state, err := a.sso.Begin(r.Context(), name, t.String())
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookieName(state), Value: state, Path: "/account/callback", MaxAge: 600,
		HttpOnly: true, Secure: a.secure(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, authURL, http.StatusSeeOther)
}

// stateCookieName keys the state cookie by the state, so that sign-ins
// started in two tabs do not overwrite each other.
func stateCookieName(state string) string {
	h := sha256.Sum256([]byte(state))
	return stateCookie + hex.EncodeToString(h[:6])
}

// proceed sends a browser with central session sessionID on to t: at once
// when t is on this host, otherwise through t's host's ticket endpoint.
func (a *Accounts) proceed(w http.ResponseWriter, r *http.Request, sessionID int64, t *url.URL) {
	w.Header().Set("Cache-Control", "no-store")
	if tenants.NormalizeHost(t.Host) == tenants.NormalizeHost(r.Host) {
		http.Redirect(w, r, t.RequestURI(), http.StatusSeeOther)
		return
	}
	tok, err := a.sso.IssueTicket(r.Context(), sessionID, t.Hostname(), t.RequestURI())
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	http.Redirect(w, r, t.Scheme+"://"+t.Host+"/account/sso?"+url.Values{"t": {tok}}.Encode(), http.StatusSeeOther)
}

// Relay is the central host's answer to a tenant host that has no
// session: a ticket when the browser has one here, otherwise straight
// back (the tenant host remembers that it asked).
func (a *Accounts) Relay(w http.ResponseWriter, r *http.Request) {
	if !a.central(r) {
		a.srv.RenderError(w, r, core.Errorf(core.ENOTFOUND, "页面“%s”不存在。", r.URL.Path))
		return
	}
	t, ok := a.returnTarget(r, r.URL.Query().Get("r"))
	if !ok {
		a.notice(w, r, http.StatusBadRequest, "返回地址无效", "返回地址不属于本平台的网站，已停止跳转。")
		return
	}
	if u := web.UserOf(r); u != nil {
		a.proceed(w, r, u.SessionID, t)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, t.String(), http.StatusFound)
}

// Callback finishes the authorization-code flow on the central host.
func (a *Accounts) Callback(w http.ResponseWriter, r *http.Request) {
	if !a.central(r) {
		a.srv.RenderError(w, r, core.Errorf(core.ENOTFOUND, "页面“%s”不存在。", r.URL.Path))
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	bound := ""
	if state != "" {
		name := stateCookieName(state)
		if c, err := r.Cookie(name); err == nil {
			bound = c.Value
		}
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/account/callback", MaxAge: -1, HttpOnly: true,
			Secure: a.secure(r), SameSite: http.SameSiteLaxMode})
	}
	if e := q.Get("error"); e != "" {
		msg := "统一身份认证服务没有完成登录（" + e + "）。"
		if e == "access_denied" {
			msg = "登录已取消。"
		}
		a.notice(w, r, http.StatusBadRequest, "登录未完成", msg, web.Crumb{Name: "重新登录", URL: web.SiteOf(r).Base + "account/login"}, web.Crumb{Name: "返回首页", URL: web.SiteOf(r).Base})
		return
	}
	res, err := a.sso.Complete(r.Context(), state, bound, q.Get("code"), a.ClientIP(r))
	if err != nil {
		a.srv.Log().Warn("sso: sign-in refused", "err", err)
		a.srv.RenderError(w, r, err)
		return
	}
	if old := web.UserOf(r); old != nil {
		// One session per browser: a new sign-in replaces the old one.
		if err := a.sso.EndSession(r.Context(), old.SessionID, "replaced"); err != nil {
			a.srv.Log().Error("sso: end replaced session", "err", err)
		}
	}
	tok, err := a.sso.NewHostSession(r.Context(), res.SessionID, r.Host)
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	a.setCookie(w, r, sessionCookie, tok, 0)
	t, ok := a.returnTarget(r, res.ReturnURL)
	if !ok {
		t, _ = url.Parse(a.siteHome(r))
	}
	if res.Staff && !res.MFA {
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, "/account/totp?"+url.Values{"r": {t.String()}}.Encode(), http.StatusSeeOther)
		return
	}
	a.proceed(w, r, res.SessionID, t)
}

// Redeem trades a ticket for this host's session cookie.
func (a *Accounts) Redeem(w http.ResponseWriter, r *http.Request) {
	if !a.allow(w, r, a.limTicket, "ticket:"+a.ClientIP(r)) {
		return
	}
	sid, ret, err := a.sso.RedeemTicket(r.Context(), r.URL.Query().Get("t"), r.Host)
	if err != nil {
		if core.ErrorCode(err) != core.EINVALID {
			a.srv.RenderError(w, r, err)
			return
		}
		a.notice(w, r, http.StatusBadRequest, "登录凭据无效", core.ErrorMessage(err),
			web.Crumb{Name: "重新登录", URL: web.SiteOf(r).Base + "account/login?" + url.Values{"r": {web.SiteOf(r).Base}}.Encode()}, web.Crumb{Name: "返回首页", URL: web.SiteOf(r).Base})
		return
	}
	tok, err := a.sso.NewHostSession(r.Context(), sid, r.Host)
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	a.setCookie(w, r, sessionCookie, tok, 0)
	a.setCookie(w, r, probeCookie, "", -1)
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, web.LocalReturn(ret, "/"), http.StatusSeeOther)
}

func (a *Accounts) LogoutPage(w http.ResponseWriter, r *http.Request) {
	if web.UserOf(r) == nil {
		a.notice(w, r, http.StatusOK, "退出登录", "您当前没有登录。")
		return
	}
	a.srv.RenderStatus(w, r, "account_logout", "退出登录", []web.Crumb{{Name: "退出登录", URL: ""}}, nil, http.StatusOK)
}

// Logout ends the central session, and so every host's session, then
// logs out at the provider when it names an end_session_endpoint.
func (a *Accounts) Logout(w http.ResponseWriter, r *http.Request) {
	ret := a.siteHome(r)
	if t, ok := a.returnTarget(r, r.PostFormValue("r")); ok {
		ret = t.String()
	}
	a.setCookie(w, r, sessionCookie, "", -1)
	if !a.central(r) {
		a.setCookie(w, r, probeCookie, "1", int(a.opts.ProbeEvery.Seconds()))
	}
	w.Header().Set("Cache-Control", "no-store")
	u := web.UserOf(r)
	if u == nil {
		http.Redirect(w, r, ret, http.StatusSeeOther)
		return
	}
	end := a.sso.EndSessionURL(r.Context(), u, ret)
	if err := a.sso.EndSession(r.Context(), u.SessionID, "logout"); err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	if u.Staff() {
		a.Audit(r, u, audit.Entry{Action: "account.logout", Target: u.DisplayName()})
	}
	if end != "" {
		http.Redirect(w, r, end, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, ret, http.StatusSeeOther)
}

// LoggedOut is where the provider sends the browser after its logout;
// state carries the return URL, checked again here.
func (a *Accounts) LoggedOut(w http.ResponseWriter, r *http.Request) {
	if t, ok := a.returnTarget(r, r.URL.Query().Get("state")); ok {
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, t.String(), http.StatusSeeOther)
		return
	}
	a.notice(w, r, http.StatusOK, "已退出登录", "您已在所有网站退出登录。")
}

// Backchannel receives a provider's logout token (OpenID Connect
// Back-Channel Logout 1.0).
func (a *Accounts) Backchannel(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	if !a.central(r) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":"not_found"}`))
		return
	}
	if ok, _ := a.limBack.Allow("back:" + a.ClientIP(r)); !ok {
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error":"slow_down"}`))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	n, err := a.sso.BackchannelLogout(r.Context(), r.PostFormValue("logout_token"))
	if err != nil {
		a.srv.Log().Warn("sso: back-channel logout refused", "err", err)
		status := http.StatusBadRequest
		if core.ErrorCode(err) != core.EINVALID {
			status = http.StatusServiceUnavailable
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"error":"invalid_request"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]int{"sessions_ended": n})
}

// totpView is the data of account_totp.html.
type totpView struct {
	State  *sso.TOTP
	QR     template.URL // data:image/png;base64 made by sso.TOTPState
	Return string
	Error  string
}

func (a *Accounts) totpTarget(r *http.Request, raw string) *url.URL {
	if t, ok := a.returnTarget(r, raw); ok {
		return t
	}
	t, _ := url.Parse(web.Absolute(r, web.SiteOf(r).Base+"admin/"))
	return t
}

// TotpPage asks staff for their platform TOTP code, or enrols them.
func (a *Accounts) TotpPage(w http.ResponseWriter, r *http.Request) {
	u := web.UserOf(r)
	if u == nil {
		a.toLogin(w, r)
		return
	}
	t := a.totpTarget(r, r.URL.Query().Get("r"))
	if !u.Staff() || u.MFA {
		a.proceed(w, r, u.SessionID, t)
		return
	}
	a.renderTOTP(w, r, u, t, "", http.StatusOK)
}

func (a *Accounts) renderTOTP(w http.ResponseWriter, r *http.Request, u *sso.User, t *url.URL, msg string, status int) {
	st, err := a.sso.TOTPState(r.Context(), &u.Account, a.opts.PlatformName)
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	// The form's answer redirects to t's host (with a ticket).
	a.widenFormAction(w, r, t.Scheme+"://"+t.Host)
	a.srv.RenderStatus(w, r, "account_totp", "动态验证码", []web.Crumb{{Name: "动态验证码", URL: ""}}, totpView{State: st, QR: template.URL(st.QR), Return: t.String(), Error: msg}, status)
}

func (a *Accounts) TotpVerify(w http.ResponseWriter, r *http.Request) {
	u := web.UserOf(r)
	if u == nil {
		a.toLogin(w, r)
		return
	}
	t := a.totpTarget(r, r.PostFormValue("r"))
	if !u.Staff() || u.MFA {
		a.proceed(w, r, u.SessionID, t)
		return
	}
	if ok, _ := a.limTOTP.Allow("totp:" + u.Subject + "|" + u.Issuer); !ok {
		a.renderTOTP(w, r, u, t, "尝试次数过多，请 5 分钟后再试。", http.StatusTooManyRequests)
		return
	}
	if err := a.sso.VerifyTOTP(r.Context(), u, r.PostFormValue("code"), a.ClientIP(r)); err != nil {
		if core.ErrorCode(err) != core.EINVALID {
			a.srv.RenderError(w, r, err)
			return
		}
		a.renderTOTP(w, r, u, t, core.ErrorMessage(err), http.StatusBadRequest)
		return
	}
	a.proceed(w, r, u.SessionID, t)
}

// toLogin sends an anonymous browser to log in and come back here.
func (a *Accounts) toLogin(w http.ResponseWriter, r *http.Request) {
	back := web.SiteOf(r).Base + acctTrimSlash(r.URL.RequestURI())
	if r.Method != http.MethodGet {
		back = web.SiteOf(r).Base
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, web.SiteOf(r).Base+"account/login?"+url.Values{"r": {back}}.Encode(), http.StatusSeeOther)
}

func acctTrimSlash(s string) string {
	if len(s) > 0 && s[0] == '/' {
		return s[1:]
	}
	return s
}

// accountView is the data of account_home.html.
type accountView struct {
	User    *sso.User
	Sites   []accountSite
	County  string // the county console, for platform admins
	Issuer  string
	Pending bool // holds staff roles, no second factor yet in this sign-in
	Notices []noticeView
	Unread  int
	// CasesOn: modules are running, so the page has the 我的办件 section.
	CasesOn      bool
	Cases        []caseView
	CasesMissing []string
}

// noticeView is a site-inbox message as the account page lists it.
type noticeView struct {
	Subject, Body, URL, Site, Time string
	Unread                         bool
}

type accountSite struct {
	Name, AdminURL string
	Roles          []tenants.Role
}

func (a *Accounts) Home(w http.ResponseWriter, r *http.Request) {
	u := web.UserOf(r)
	if u == nil {
		a.toLogin(w, r)
		return
	}
	v := accountView{User: u, Issuer: u.Issuer, Pending: u.NeedsMFA()}
	byID := map[int64]*tenants.Tenant{}
	for _, t := range web.Tenants(r) {
		byID[t.ID] = t
	}
	idx := map[int64]int{}
	for _, m := range u.Memberships {
		if m.TenantID == 0 {
			if p := web.SiteOf(r).Portal; p != nil {
				v.County = web.SiteBase(r, p) + "admin/county/"
			}
			continue
		}
		t := byID[m.TenantID]
		if t == nil {
			continue
		}
		i, ok := idx[t.ID]
		if !ok {
			s := accountSite{Name: t.Name}
			if t.Status == tenants.Active {
				s.AdminURL = web.SiteBase(r, t) + "admin/"
			}
			v.Sites = append(v.Sites, s)
			i = len(v.Sites) - 1
			idx[t.ID] = i
		}
		v.Sites[i].Roles = append(v.Sites[i].Roles, m.Role)
	}
	ns, unread, err := a.inbox.Latest(r.Context(), u.ID, 30)
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	v.Unread = unread
	for _, n := range ns {
		nv := noticeView{Subject: n.Subject, Body: n.Body, Time: content.FormatTime(n.CreatedAt), Unread: n.ReadAt == nil}
		if t := byID[n.TenantID]; t != nil {
			nv.Site = t.Name
			if n.Path != "" && t.Status == tenants.Active {
				nv.URL = web.SiteBase(r, t) + n.Path
			}
		}
		v.Notices = append(v.Notices, nv)
	}
	v.Cases, v.CasesMissing, v.CasesOn = a.accountCases(r.Context(), u.ID, func(c web.Case) (string, string) {
		t := byID[c.TenantID]
		if t == nil {
			return "", ""
		}
		if t.Status != tenants.Active || c.Path == "" {
			return t.Name, ""
		}
		return t.Name, web.SiteBase(r, t) + c.Path
	})
	a.srv.RenderStatus(w, r, "account_home", "我的账号", []web.Crumb{{Name: "我的账号", URL: ""}}, v, http.StatusOK)
}

// NoticesRead marks the person's notices read.
func (a *Accounts) NoticesRead(w http.ResponseWriter, r *http.Request) {
	u := web.UserOf(r)
	if u == nil {
		a.toLogin(w, r)
		return
	}
	if err := a.inbox.MarkRead(r.Context(), u.ID); err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	http.Redirect(w, r, web.SiteOf(r).Base+"account/#notices", http.StatusSeeOther)
}

// Audit writes a staff action with who, from where, and the site.
func (a *Accounts) Audit(r *http.Request, u *sso.User, e audit.Entry) {
	e.Actor = u.Actor()
	e.RemoteAddr = a.ClientIP(r)
	if err := audit.Write(r.Context(), a.srv.DB(), e); err != nil {
		a.srv.Log().Error("audit", "action", e.Action, "err", err)
	}
}
