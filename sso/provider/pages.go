package provider

import (
	"bytes"
	"html/template"
	"net/http"
)

// pageData is what the provider's pages show.
type pageData struct {
	Title    string
	Step     string // "password", "otp" or "" for a notice
	Request  string
	Binding  string
	Username string
	Error    string
	Message  string
	DemoCode string
	Demo     []Account
	Prefix   string
	// DemoPassword is shown with the demo accounts.
	DemoPassword string
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{.Title}} - 统一身份认证（内置演示）</title>
<link rel="stylesheet" href="{{.Prefix}}/style.css">
</head>
<body>
<header><p class="brand">统一身份认证</p><p class="warn">内置演示身份提供方，仅供本地演示，不用于生产环境</p></header>
<main id="main">
<h1>{{.Title}}</h1>
{{- with .Error}}<p class="error" role="alert" id="form-error">{{.}}</p>{{end}}
{{- with .Message}}<p>{{.}}</p>{{end}}
{{- if eq .Step "password"}}
<form method="post" action="{{.Prefix}}/login" novalidate>
  <input type="hidden" name="req" value="{{.Request}}">
  <input type="hidden" name="bind" value="{{.Binding}}">
  <p><label for="username">用户名</label>
  <input id="username" name="username" autocomplete="username" required value="{{.Username}}" autocapitalize="none" spellcheck="false"{{if .Error}} aria-describedby="form-error" aria-invalid="true"{{end}}></p>
  <p><label for="password">密码</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><button type="submit">登录</button></p>
</form>
{{- with .Demo}}
<section class="demo" aria-labelledby="demo-h">
<h2 id="demo-h">演示账号（密码均为 {{$.DemoPassword}}）</h2>
<table><thead><tr><th scope="col">用户名</th><th scope="col">姓名</th><th scope="col">动态验证码</th></tr></thead>
<tbody>{{range .}}<tr><td>{{.Username}}</td><td>{{.Name}}</td><td>{{if .TOTPSecret}}需要{{else}}—{{end}}</td></tr>{{end}}</tbody></table>
</section>
{{- end}}
{{- else if eq .Step "otp"}}
<p>账号 <strong>{{.Username}}</strong> 已开启动态验证码。请输入验证器应用上显示的 6 位数字。</p>
{{- with .DemoCode}}<p class="demo-code">演示环境提示：当前验证码为 <strong>{{.}}</strong>（仅内置演示身份提供方显示）。</p>{{end}}
<form method="post" action="{{.Prefix}}/otp" novalidate>
  <input type="hidden" name="req" value="{{.Request}}">
  <input type="hidden" name="bind" value="{{.Binding}}">
  <p><label for="code">动态验证码</label>
  <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required{{if .Error}} aria-describedby="form-error" aria-invalid="true"{{end}}></p>
  <p><button type="submit">验证并登录</button></p>
</form>
{{- end}}
</main>
</body>
</html>
`))

const styleCSS = `*{box-sizing:border-box}
body{margin:0;font:1rem/1.7 "PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#1f1f1f;background:#f5f5f5}
header{background:#a8141c;color:#fff;padding:.75rem 1rem}
header p{margin:0}
.brand{font-size:1.25rem;font-weight:700}
.warn{font-size:.875rem}
main{max-width:28rem;margin:1.5rem auto;background:#fff;padding:1rem 1.5rem 1.5rem;border:1px solid #d9d9d9}
h1{font-size:1.375rem}
h2{font-size:1rem}
label{display:block;font-weight:600}
input{width:100%;font:inherit;padding:.5rem;border:1px solid #767676;border-radius:3px}
button{font:inherit;padding:.5rem 1.5rem;background:#a8141c;color:#fff;border:0;border-radius:3px;min-height:2.75rem;cursor:pointer}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.error{color:#a50e0e;background:#fce8e6;padding:.5rem .75rem;border-left:4px solid #a50e0e}
.demo{margin-top:1.5rem;font-size:.875rem}
.demo table{border-collapse:collapse;width:100%}
.demo th,.demo td{border:1px solid #d9d9d9;padding:.25rem .5rem;text-align:left}
.demo-code{background:#fff3cd;border-left:4px solid #c99400;padding:.5rem .75rem;color:#5c3d00}
`

func (p *Provider) page(w http.ResponseWriter, status int, d pageData) {
	d.Prefix = p.prefix
	if p.cfg.Demo && d.Step == "password" {
		d.Demo, d.DemoPassword = p.cfg.Accounts, DemoPassword
	}
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, d); err != nil {
		p.log.Error("provider: render", "err", err)
		http.Error(w, "页面生成失败", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
