package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"golang.org/x/net/html"
	"yiwang/sso/provider"
)

// TestModuleFormsThroughTheHost posts every form of the built-in modules
// as its page does, to the real binary with its real plugin processes:
// the CSRF token travels as the form's own hidden field, a letter goes
// as multipart with an attachment, and each step reads the next form off
// the page the previous one led to. A module that receives an empty or
// altered body fails here.
func TestModuleFormsThroughTheHost(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	s := startServe(t, filepath.Join(t.TempDir(), "data"))
	s.waitHealthy(90 * time.Second)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(s.base, "http://"))
	portal := "http://localhost:" + port // the portal's canonical name
	jyj := "http://jyj.localhost:" + port

	citizen := newVisitor(t, s)
	citizen.signIn(portal+"/account/login?r=/mailbox/", "citizen")

	// Write a letter with a photo.
	subject := "小区门口路灯损坏多日"
	write := citizen.form(portal+"/mailbox/write?box=county_head", "mailbox/write")
	if write.enctype != "multipart/form-data" {
		t.Fatalf("the letter form posts as %q", write.enctype)
	}
	write.set("box", "county_head")
	write.set("category", "投诉")
	write.set("subject", subject)
	write.set("content", "我住在思唐街道某小区，门口的路灯已经坏了两周，晚上出行很不方便，请尽快修复。")
	photo := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 40<<10)...)
	if !write.attach("现场照片.png", photo) {
		t.Fatalf("the letter form has no file field:\n%s", write.page)
	}
	done := citizen.submit(write)
	m := regexp.MustCompile(`(XX\d{14})`).FindStringSubmatch(done.text)
	c := regexp.MustCompile(`查询码 (\d{8}) `).FindStringSubmatch(done.text)
	if done.status != http.StatusOK || !strings.Contains(done.text, "信件已提交") || m == nil || c == nil {
		t.Fatalf("after posting the letter form: %d\n%s", done.status, done.text)
	}
	number, code := m[1], c[1]

	// A letter whose text is not UTF-8 is the writer's mistake, said in
	// Chinese, never an outage of the mailbox.
	garbled := citizen.form(portal+"/mailbox/write?box=county_head", "mailbox/write")
	garbled.set("category", "投诉")
	garbled.set("subject", "路灯\xff\xfe损坏")
	garbled.set("content", "内容")
	if got := citizen.submit(garbled); got.status != http.StatusBadRequest || !strings.Contains(got.text, "不是有效的 UTF-8 文本") {
		t.Fatalf("a letter that is not UTF-8: %d\n%s", got.status, got.text)
	}

	// Anyone looks it up with its number and query code.
	anon := newVisitor(t, s)
	lookup := anon.form(portal+"/mailbox/", "mailbox/query")
	lookup.set("number", number)
	lookup.set("code", code)
	if got := anon.submit(lookup); got.status != http.StatusOK || !strings.Contains(got.text, subject) {
		t.Fatalf("looking the letter up by number and code: %d\n%s", got.status, got.text)
	}
	// The attachment reached the module as sent.
	mine := citizen.get(portal + "/mailbox/my/" + number)
	href := regexp.MustCompile(`href="([^"]*/mailbox/my/` + number + `/files/[^"]+)"`).FindStringSubmatch(mine.page)
	if href == nil {
		t.Fatalf("the writer's page lists no attachment:\n%s", mine.text)
	}
	if f := citizen.get(absolute(portal, html.UnescapeString(href[1]))); !bytes.Equal([]byte(f.page), photo) {
		t.Errorf("attachment: %d bytes back, %d sent", len(f.page), len(photo))
	}

	// The county office assigns it to 教育局.
	office := newVisitor(t, s)
	office.signIn(portal+"/account/login?r=/admin/", "admin")
	assign := office.form(portal+"/admin/mailbox/l/"+number, "", "action=assign")
	assign.selectOption("dept", "教育局")
	if got := office.submit(assign); got.status != http.StatusOK || !strings.Contains(got.text, "办理中") && !strings.Contains(got.text, "已转办") {
		t.Fatalf("assigning: %d\n%s", got.status, got.text)
	}

	// The writer's account page lists the letter among the person's cases
	// (我的办件), asked of the mailbox process through the host.
	account := citizen.get(portal + "/account/")
	row := regexp.MustCompile(`<th scope="row"><a href="[^"]*/mailbox/my/` + number + `">` + number + `</a></th><td>` + subject + `</td><td>[^<]+</td><td>办理中</td>\s*<td>\d{4}年\d+月\d+日`)
	if account.status != http.StatusOK || !strings.Contains(account.page, "我的办件") || !row.MatchString(account.page) {
		t.Fatalf("the account page does not list the letter as a case with its state and deadline:\n%s", account.page)
	}

	// 教育局 answers on its own site.
	handler := newVisitor(t, s)
	handler.signIn(jyj+"/account/login?r=/admin/", "handler")
	reply := "您好：路灯已于今日修复，感谢您的监督。"
	answer := handler.form(jyj+"/admin/mailbox/l/"+number, "", "reply=")
	answer.set("reply", reply)
	answer.press("action", "submit_reply")
	if got := handler.submit(answer); got.status != http.StatusOK || !strings.Contains(got.text, reply) {
		t.Fatalf("replying: %d\n%s", got.status, got.text)
	}

	// The county office approves; the writer rates the answer.
	approve := office.form(portal+"/admin/mailbox/l/"+number, "", "action=approve")
	if got := office.submit(approve); got.status != http.StatusOK || !strings.Contains(got.text, "已办结") {
		t.Fatalf("approving: %d\n%s", got.status, got.text)
	}
	rate := citizen.form(portal+"/mailbox/my/"+number, "/rate")
	rate.set("rating", "满意")
	if got := citizen.submit(rate); got.status != http.StatusOK || !strings.Contains(got.text, "满意") {
		t.Fatalf("rating: %d\n%s", got.status, got.text)
	}

	// The topics console: the county office makes a topic, adds a
	// section and publishes it.
	create := office.form(portal+"/admin/topics/new", "admin/topics/")
	title := "优化营商环境专题"
	create.set("title", title)
	got := office.submit(create)
	if got.status != http.StatusOK || !strings.Contains(got.page, title) {
		t.Fatalf("creating a topic: %d\n%s", got.status, got.text)
	}
	section := office.formOn(got, "/sections/", "kind")
	section.set("title", "政策文件")
	if got = office.submit(section); got.status != http.StatusOK || !strings.Contains(got.page, "政策文件") {
		t.Fatalf("adding a section: %d\n%s", got.status, got.text)
	}
	status := office.formOn(got, "/status")
	status.press("status", "published")
	if got = office.submit(status); got.status != http.StatusOK || !strings.Contains(got.text, "已发布") {
		t.Fatalf("publishing the topic: %d\n%s", got.status, got.text)
	}
	if list := anon.get(portal + "/topics/"); !strings.Contains(list.page, title) {
		t.Errorf("the published topic is not on /topics/:\n%s", list.text)
	}
}

// visitor is a browser: cookies, redirects followed, every name dialled
// to the server (jyj.localhost too).
type visitor struct {
	t *testing.T
	s *server
	c *http.Client
}

func newVisitor(t *testing.T, s *server) *visitor {
	jar, _ := cookiejar.New(nil)
	addr := strings.TrimPrefix(s.base, "http://")
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &visitor{t: t, s: s, c: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second}}
}

// answer is a page after redirects: its HTML and its visible text.
type answer struct {
	status    int
	url, page string
	text      string
	err       error // the transport's, from getQuietly only
}

func (v *visitor) do(req *http.Request) answer {
	v.t.Helper()
	resp, err := v.c.Do(req)
	if err != nil {
		v.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, url: resp.Request.URL.String(), page: string(b), text: visibleText(string(b))}
}

func (v *visitor) get(u string) answer {
	v.t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	return v.do(req)
}

// getQuietly is get for a load generator's goroutines, where the test
// must not stop (t.Fatal belongs to the test's own goroutine): a
// transport error comes back in the answer.
func (v *visitor) getQuietly(u string) answer {
	resp, err := v.c.Get(u)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, url: resp.Request.URL.String(), page: string(b), err: err}
}

// signIn follows a page's 登录 link through the built-in provider.
func (v *visitor) signIn(start, username string) {
	v.t.Helper()
	var acct provider.DemoAccount
	for _, d := range provider.Demo() {
		if d.Username == username {
			acct = d
		}
	}
	p := v.get(start)
	login := v.formOn(p, "/idp/login")
	login.set("username", username)
	login.set("password", provider.DemoPassword)
	p = v.submit(login)
	if acct.TOTPSecret != "" {
		otp := v.formOn(p, "/idp/otp")
		code, _ := totp.GenerateCode(acct.TOTPSecret, time.Now())
		otp.set("code", code)
		p = v.submit(otp)
	}
	if !strings.Contains(p.text, acct.Name) {
		v.t.Fatalf("signed in as %s, landed on %d %s:\n%s", username, p.status, p.url, p.text)
	}
}

// form fetches u and returns its post form whose action contains action
// and whose fields include every name=value of has.
func (v *visitor) form(u, action string, has ...string) *form {
	v.t.Helper()
	return v.formOn(v.get(u), action, has...)
}

func (v *visitor) formOn(p answer, action string, has ...string) *form {
	v.t.Helper()
	doc, err := html.Parse(strings.NewReader(p.page))
	if err != nil {
		v.t.Fatal(err)
	}
	for _, f := range forms(doc, p.url, p.page) {
		if f.method == "post" && strings.Contains(f.action, action) && f.hasAll(has) {
			return f
		}
	}
	v.t.Fatalf("no post form with action %q and fields %v on %d %s:\n%s", action, has, p.status, p.url, p.text)
	return nil
}

// submit posts f as the browser would, with the page's origin.
func (v *visitor) submit(f *form) answer {
	v.t.Helper()
	return v.do(f.request())
}

// request is f posted as the browser posts it, with the page's origin.
func (f *form) request() *http.Request {
	body, ct := f.encode()
	req, _ := http.NewRequest("POST", f.action, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", originOf(f.action))
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return req
}

// clone is a copy of f to fill in, f left as the page drew it: the load
// tests post one form many times from several goroutines.
func (f *form) clone() *form {
	g := *f
	g.fields = make([]*field, len(f.fields))
	for i, x := range f.fields {
		y := *x
		g.fields[i] = &y
	}
	return &g
}

// post sends f on c as the browser would, with the page's origin, and
// returns the status and body; header adds name, value pairs.
func post(c *http.Client, f *form, header ...string) (int, []byte, error) {
	req := f.request()
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

type field struct {
	name, value, kind string
	file              []byte
	on                bool // checked, selected, or a text field
}

type form struct {
	method, action, enctype string
	page                    string
	fields                  []*field
	options                 map[string][][2]string // select name: (value, label)
	buttons                 [][2]string
}

func forms(doc *html.Node, base, page string) []*form {
	var out []*form
	var cur *form
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			a := map[string]string{}
			checked := false
			for _, at := range n.Attr {
				a[at.Key] = at.Val
				if at.Key == "checked" || at.Key == "selected" {
					checked = true
				}
			}
			switch n.Data {
			case "form":
				act := a["action"]
				if act == "" {
					act = base
				}
				cur = &form{method: strings.ToLower(a["method"]), action: absolute(base, act), enctype: a["enctype"], page: page, options: map[string][][2]string{}}
				if cur.enctype == "" {
					cur.enctype = "application/x-www-form-urlencoded"
				}
				out = append(out, cur)
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
				cur = nil
				return
			case "input":
				if cur != nil && a["name"] != "" {
					kind := a["type"]
					on := checked || (kind != "radio" && kind != "checkbox" && kind != "submit" && kind != "file")
					if kind == "submit" {
						cur.buttons = append(cur.buttons, [2]string{a["name"], a["value"]})
					} else {
						cur.fields = append(cur.fields, &field{name: a["name"], value: a["value"], kind: kind, on: on})
					}
				}
			case "textarea":
				if cur != nil {
					cur.fields = append(cur.fields, &field{name: a["name"], value: textOf(n), kind: "textarea", on: true})
				}
			case "button":
				if cur != nil && a["name"] != "" {
					cur.buttons = append(cur.buttons, [2]string{a["name"], a["value"]})
				}
			case "select":
				if cur != nil {
					f := &field{name: a["name"], kind: "select", on: true}
					first := true
					for o := n.FirstChild; o != nil; o = o.NextSibling {
						if o.Type != html.ElementNode || o.Data != "option" {
							continue
						}
						val, sel := textOf(o), false
						for _, at := range o.Attr {
							if at.Key == "value" {
								val = at.Val
							}
							sel = sel || at.Key == "selected"
						}
						cur.options[f.name] = append(cur.options[f.name], [2]string{val, textOf(o)})
						if first || sel {
							f.value, first = val, false
						}
					}
					cur.fields = append(cur.fields, f)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func (f *form) hasAll(has []string) bool {
	for _, h := range has {
		name, val, _ := strings.Cut(h, "=")
		found := false
		for _, x := range f.fields {
			if x.name == name && (val == "" || x.value == val) {
				found = true
			}
		}
		for _, b := range f.buttons {
			if b[0] == name && (val == "" || b[1] == val) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// set fills a text field, or checks the radio button or checkbox of
// that value.
func (f *form) set(name, value string) {
	found := false
	for _, x := range f.fields {
		if x.name != name {
			continue
		}
		switch x.kind {
		case "radio":
			x.on = x.value == value
			found = found || x.on
		case "checkbox":
			if x.value == value {
				x.on, found = true, true
			}
		default:
			x.value, x.on, found = value, true, true
		}
	}
	if !found {
		panic(fmt.Sprintf("form %s has no field %s for %q", f.action, name, value))
	}
}

// selectOption picks the option of a select whose label contains label.
func (f *form) selectOption(name, label string) {
	for _, o := range f.options[name] {
		if strings.Contains(o[1], label) {
			f.set(name, o[0])
			return
		}
	}
	panic(fmt.Sprintf("select %s has no option %q: %v", name, label, f.options[name]))
}

// press is the button the visitor clicks (its name=value is sent).
func (f *form) press(name, value string) {
	f.fields = append(f.fields, &field{name: name, value: value, kind: "button", on: true})
}

// attach puts a file in the form's first file field.
func (f *form) attach(filename string, content []byte) bool {
	for _, x := range f.fields {
		if x.kind == "file" {
			x.value, x.file, x.on = filename, content, true
			return true
		}
	}
	return false
}

func (f *form) encode() ([]byte, string) {
	if f.enctype != "multipart/form-data" {
		v := url.Values{}
		for _, x := range f.fields {
			if x.on {
				v.Add(x.name, x.value)
			}
		}
		return []byte(v.Encode()), "application/x-www-form-urlencoded"
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, x := range f.fields {
		switch {
		case x.kind == "file" && x.on:
			w, _ := mw.CreateFormFile(x.name, x.value)
			_, _ = w.Write(x.file)
		case x.kind == "file":
			w, _ := mw.CreateFormFile(x.name, "") // a browser sends an empty file part
			_ = w
		case x.on:
			_ = mw.WriteField(x.name, x.value)
		}
	}
	_ = mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// visibleText is a page's text without its tags, scripts and styles, for
// failure messages and checks of what the page says.
func visibleText(page string) string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return page
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style") {
			return
		}
		if n.Type == html.TextNode {
			if s := strings.TrimSpace(n.Data); s != "" {
				b.WriteString(s)
				b.WriteByte(' ')
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return b.String()
}

func absolute(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := b.Parse(ref)
	if err != nil {
		return ref
	}
	return r.String()
}

func originOf(u string) string {
	p, _ := url.Parse(u)
	return p.Scheme + "://" + p.Host
}
