package mailbox

import (
	"bytes"
	"html/template"
	"net/http"
	"time"

	"yiwang/plugins/sdk"
)

var pages = template.Must(template.New("mailbox").Funcs(template.FuncMap{
	"status": StatusLabel,
	"dt":     func(t time.Time) string { return t.In(cst).Format("2006-01-02 15:04") },
	"eq2":    func(a, b string) bool { return a == b },
}).Parse(pageText))

type pageView struct {
	Base, CSRF string
	Data       any
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, name, title string, status int, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, pageView{Base: sdk.Base(r), CSRF: sdk.CSRFToken(r), Data: data}); err != nil {
		h.env.Log.Error("render", "template", name, "err", err)
		sdk.Fail(w, err)
		return
	}
	sdk.Render(w, sdk.Fragment{Title: title, Crumbs: []sdk.Crumb{{Name: NavTitle, URL: sdk.URL(r, "mailbox/")}, {Name: title}},
		HTML: template.HTML(buf.String()), Current: NavTitle, Status: status}) //nolint:gosec // html/template output
}

const pageText = `
{{define "index"}}<h1>领导信箱</h1>
<ul class="mailbox-boxes">{{range .Data.Boxes}}<li><a href="{{$.Base}}mailbox/write?box={{.Key}}">给{{.Title}}写信</a> · <a href="{{$.Base}}mailbox/?box={{.Key}}">{{.Title}}公开信件</a></li>{{end}}</ul>
<p><a href="{{.Base}}mailbox/my/">我的信件</a> · <a href="{{.Base}}mailbox/report">月度办理情况报告</a></p>
<section aria-labelledby="q"><h2 id="q">信件查询</h2>
<form method="post" action="{{.Base}}mailbox/query"><input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="qn">信件编号</label> <input id="qn" name="number" required autocomplete="off">
<label for="qc">查询码</label> <input id="qc" name="code" required autocomplete="off" inputmode="numeric">
<button type="submit">查询</button></form></section>
<section aria-labelledby="pub"><h2 id="pub">公开信件</h2>
{{if .Data.Published}}<table><caption>已公开的来信及答复</caption><thead><tr><th scope="col">标题</th><th scope="col">类别</th><th scope="col">来信日期</th><th scope="col">答复日期</th><th scope="col">承办单位</th></tr></thead><tbody>
{{range .Data.Published}}<tr><td><a href="{{$.Base}}mailbox/public/{{.Number}}">{{.Subject}}</a></td><td>{{.Category}}</td><td>{{.Received}}</td><td>{{.Replied}}</td><td>{{.Dept}}</td></tr>{{end}}
</tbody></table>{{else}}<p>暂无公开信件。</p>{{end}}</section>{{end}}

{{define "public"}}<article><h1>{{.Data.Subject}}</h1>
<dl><dt>信箱</dt><dd>{{.Data.Box}}</dd><dt>类别</dt><dd>{{.Data.Category}}</dd><dt>来信日期</dt><dd>{{.Data.Received}}</dd><dt>答复日期</dt><dd>{{.Data.Replied}}</dd><dt>承办单位</dt><dd>{{.Data.Dept}}</dd></dl>
<h2>来信内容</h2><p class="mailbox-text text-lines">{{.Data.Content}}</p>
<h2>答复内容</h2><p class="mailbox-text text-lines">{{.Data.Reply}}</p></article>{{end}}

{{define "write"}}<h1>写信</h1>
{{with .Data.Problems}}<div role="alert" class="mailbox-errors"><ul>{{range .}}<li>{{.}}</li>{{end}}</ul></div>{{end}}
<form method="post" action="{{.Base}}mailbox/write" enctype="multipart/form-data"><input type="hidden" name="csrf" value="{{.CSRF}}">
<fieldset><legend>信箱</legend>{{range .Data.Boxes}}<label><input type="radio" name="box" value="{{.Key}}"{{if eq2 .Key $.Data.L.Mailbox}} checked{{end}} required> {{.Title}}</label> {{end}}</fieldset>
<fieldset><legend>信件类别</legend>{{range .Data.Categories}}<label><input type="radio" name="category" value="{{.}}"{{if eq2 . $.Data.L.Category}} checked{{end}} required> {{.}}</label> {{end}}</fieldset>
<p><label for="ms">标题</label><br><input id="ms" name="subject" maxlength="100" required value="{{.Data.L.Subject}}"></p>
<p><label for="mc">内容</label><br><textarea id="mc" name="content" rows="10" required>{{.Data.L.Content}}</textarea></p>
<p><label for="mf">附件（可选，最多 3 个，每个不超过 5 MB，限 PNG、JPEG、GIF 图片或 PDF）</label><br><input id="mf" name="files" type="file" multiple accept="image/png,image/jpeg,image/gif,application/pdf"></p>
<p><label for="mp">联系电话（仅工作人员可见）</label><br><input id="mp" name="phone" type="tel" autocomplete="tel" value="{{.Data.L.Phone}}"></p>
<p><label><input type="checkbox" name="consent" value="yes"{{if .Data.L.Consent}} checked{{end}}> 同意公开本信件及答复（隐去个人信息）</label></p>
<p><button type="submit">提交信件</button></p></form>{{end}}

{{define "submitted"}}<h1>信件已提交</h1>
<p role="status">您的信件已提交到{{.Data.Box}}。请记下信件编号和查询码，凭二者可随时查询办理情况；查询码只显示这一次。</p>
<dl><dt>信件编号</dt><dd><strong>{{.Data.Letter.Number}}</strong></dd><dt>查询码</dt><dd><strong>{{.Data.Code}}</strong></dd></dl>
<p><a href="{{.Base}}mailbox/my/{{.Data.Letter.Number}}">查看这封信件</a> · <a href="{{.Base}}mailbox/my/">我的信件</a></p>{{end}}

{{define "mylist"}}<h1>我的信件</h1>
{{if .Data}}<table><caption>我写过的信件</caption><thead><tr><th scope="col">编号</th><th scope="col">标题</th><th scope="col">类别</th><th scope="col">状态</th><th scope="col">提交时间</th></tr></thead><tbody>
{{range .Data}}<tr><td>{{.Number}}</td><td><a href="{{$.Base}}mailbox/my/{{.Number}}">{{.Subject}}</a></td><td>{{.Category}}</td><td>{{status .Status}}</td><td>{{dt .CreatedAt}}</td></tr>{{end}}
</tbody></table>{{else}}<p>您还没有写过信。</p>{{end}}{{end}}

{{define "query"}}<h1>信件查询</h1><p role="alert">{{.Data.Error}}</p><p><a href="{{.Base}}mailbox/">返回领导信箱</a></p>{{end}}

{{define "letter"}}{{$v := .Data}}<article><h1>{{$v.L.Subject}}</h1>
<dl><dt>信件编号</dt><dd>{{$v.L.Number}}</dd><dt>信箱</dt><dd>{{$v.Box}}</dd><dt>类别</dt><dd>{{$v.L.Category}}</dd>
<dt>状态</dt><dd>{{status $v.L.Status}}{{if $v.Overdue}}（已超期）{{end}}</dd>
{{if $v.L.Origin}}<dt>来源</dt><dd>{{$v.L.Origin}}转来{{if $v.L.OriginRef}}（原编号 {{$v.L.OriginRef}}）{{end}}</dd>{{end}}
{{if $v.Dept}}<dt>承办单位</dt><dd>{{$v.Dept}}</dd>{{end}}
{{if $v.L.Deadline}}<dt>办理期限</dt><dd>{{$v.L.Deadline}}<details><summary>期限如何计算</summary><p class="mailbox-text text-lines">{{$v.L.DeadlineExplain}}</p></details></dd>{{end}}
{{if $v.L.Reason}}<dt>说明</dt><dd>{{$v.L.Reason}}</dd>{{end}}
{{if $v.L.Rating}}<dt>评价</dt><dd>{{$v.L.Rating}}</dd>{{end}}
{{if $v.Staff}}{{if $v.L.Phone}}<dt>联系电话</dt><dd>{{$v.L.Phone}}</dd>{{end}}<dt>同意公开</dt><dd>{{if $v.L.Consent}}是{{else}}否{{end}}</dd>{{if $v.L.Flagged}}<dt>提示</dt><dd><strong>{{if ge $v.L.BounceCount 2}}多次被退回（{{$v.L.BounceCount}} 次）{{end}}{{if $v.L.Escalated}} 超期已督办{{end}}</strong></dd>{{end}}{{end}}
</dl>
<h2>来信内容</h2><p class="mailbox-text text-lines">{{$v.L.Content}}</p>
{{if $v.Files}}<h2>附件</h2><ul>{{range $v.Files}}<li>{{if $v.FileBase}}<a href="{{$v.FileBase}}{{.ID}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}（{{.SizeLabel}}）</li>{{end}}</ul>{{end}}
{{if $v.Reply}}<h2>答复</h2><p class="mailbox-text text-lines">{{$v.Reply}}</p>{{end}}
{{if $v.CanRate}}<form method="post" action="{{.Base}}mailbox/my/{{$v.L.Number}}/rate"><input type="hidden" name="csrf" value="{{.CSRF}}">
<fieldset><legend>对答复的评价</legend><label><input type="radio" name="rating" value="满意" required> 满意</label> <label><input type="radio" name="rating" value="基本满意"> 基本满意</label> <label><input type="radio" name="rating" value="不满意"> 不满意</label></fieldset><button type="submit">提交评价</button></form>{{end}}
<h2>办理记录</h2><ol>{{range $v.History}}<li><time>{{dt .At}}</time> {{.Note}}</li>{{end}}</ol>
{{if $v.Dispatch}}{{if eq2 $v.L.Status "submitted"}}
<form method="post"><input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="action" value="assign">
<label for="dept">受理并转办至</label> <select id="dept" name="dept" required>{{range $v.Depts}}<option value="{{.ID}}">{{.Name}}</option>{{end}}</select> <button type="submit">转办</button></form>
<form method="post"><input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="action" value="reject">
<label for="rr">不予受理理由</label> <input id="rr" name="reason" required> <button type="submit">不予受理</button></form>{{end}}
{{if eq2 $v.L.Status "replied"}}<form method="post"><input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="action" value="approve">
{{if $v.L.Consent}}<fieldset><legend>公开（来信人已同意）</legend><label><input type="checkbox" name="publish" value="yes"> 公开本信件及答复</label>
<p>公开的文本已自动隐去电话、身份证号等；请再删去姓名、住址等个人信息。</p>
<p><label for="ps">公开标题</label><br><input id="ps" name="public_subject" value="{{$v.PublicSubject}}"></p>
<p><label for="pc">公开来信内容</label><br><textarea id="pc" name="public_content" rows="5">{{$v.PublicContent}}</textarea></p>
<p><label for="pr">公开答复内容</label><br><textarea id="pr" name="public_reply" rows="5">{{$v.PublicReply}}</textarea></p></fieldset>{{end}} <button type="submit">审核通过</button></form>
<form method="post"><input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="action" value="return">
<label for="rt">退回理由</label> <input id="rt" name="reason" required> <button type="submit">退回修改</button></form>{{end}}
{{if and (eq2 $v.L.Status "closed") $v.L.Published}}<form method="post"><input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="action" value="unpublish">
<label for="up">撤下公开的原因</label> <input id="up" name="reason"> <button type="submit">撤下公开</button></form>{{end}}
{{if eq2 $v.L.ExtStatus "requested"}}<p>承办单位申请延期 {{$v.L.ExtDays}} 个工作日：{{$v.L.ExtReason}}</p>
<form method="post"><input type="hidden" name="csrf" value="{{.CSRF}}"><button name="action" value="ext_approve">同意延期</button> <button name="action" value="ext_refuse">不同意</button></form>{{end}}{{end}}
{{if $v.Handle}}{{if eq2 $v.L.Status "assigned"}}
<form method="post"><input type="hidden" name="csrf" value="{{.CSRF}}"><p><label for="rp">答复内容</label><br><textarea id="rp" name="reply" rows="8" required>{{$v.L.Reply}}</textarea></p>
<button name="action" value="draft">保存草稿</button> <button name="action" value="submit_reply">提交审核</button></form>
<form method="post"><input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="action" value="bounce">
<label for="bo">非本单位职责，退回理由</label> <input id="bo" name="reason" required> <button type="submit">退回</button></form>
<form method="post"><input type="hidden" name="csrf" value="{{.CSRF}}"><input type="hidden" name="action" value="ext_request">
<label for="ed">申请延期（工作日）</label> <input id="ed" name="days" type="number" min="1" max="30" required> <label for="er">理由</label> <input id="er" name="reason" required> <button type="submit">申请延期</button></form>{{end}}{{end}}
</article>{{end}}

{{define "report"}}{{$d := .Data}}<h1>{{$d.BoxTitle}} {{$d.Month}} 月度办理情况</h1>
<nav aria-label="信箱">{{range $d.Boxes}}<a href="{{$.Base}}mailbox/report?box={{.Key}}&amp;month={{$d.Month}}">{{.Title}}</a> {{end}}</nav>
<figure>{{$d.Chart}}<figcaption>各单位收到与办结信件数（数据见下表）</figcaption></figure>
<table><caption>各单位办理情况（按当月收到的信件统计）</caption><thead><tr><th scope="col">承办单位</th><th scope="col">收到</th><th scope="col">办结</th><th scope="col">按期办结</th><th scope="col">超期</th><th scope="col">延期</th><th scope="col">平均答复工作日</th><th scope="col">满意率</th></tr></thead><tbody>
{{range $d.Rows}}<tr><th scope="row">{{.Dept}}</th><td>{{.Received}}</td><td>{{.Closed}}</td><td>{{.OnTime}}</td><td>{{.Overdue}}</td><td>{{.Extended}}</td><td>{{.AvgDays}}</td><td>{{.Satisfaction}}</td></tr>{{else}}<tr><td colspan="8">当月没有收到信件。</td></tr>{{end}}
</tbody></table>
<table><caption>按类别统计</caption><thead><tr><th scope="col">类别</th><th scope="col">件数</th></tr></thead><tbody>{{range $d.Categories}}<tr><th scope="row">{{.Category}}</th><td>{{.Count}}</td></tr>{{end}}</tbody></table>
<nav aria-label="往月报告"><h2>往月报告</h2><ul>{{range $d.Months}}<li><a href="{{$.Base}}mailbox/report?box={{$d.Box}}&amp;month={{.}}">{{.}}</a></li>{{end}}</ul></nav>{{end}}

{{define "stafflist"}}<h1>信件办理</h1>
{{with .Data.Dispatch}}<h2>本站信箱待处理信件</h2><ul>{{range .}}<li><a href="{{$.Base}}admin/mailbox/l/{{.Number}}">{{.Number}} {{.Subject}}</a>（{{.Category}}，{{status .Status}}{{if .Deadline}}，期限 {{.Deadline}}{{end}}{{if ge .BounceCount 2}}，<strong>多次退回</strong>{{end}}{{if .Escalated}}，<strong>超期督办</strong>{{end}}）</li>{{end}}</ul>{{end}}
{{if .Data.Origins}}<details><summary>录入上级平台转来的信件</summary>
<form method="post" action="{{.Base}}admin/mailbox/forwarded"><input type="hidden" name="csrf" value="{{.CSRF}}">
<p><label for="fo">来源</label> <select id="fo" name="origin">{{range .Data.Origins}}<option>{{.}}</option>{{end}}</select>
<label for="fr">原编号</label> <input id="fr" name="origin_ref"></p>
<p><label for="fb">信箱</label> <select id="fb" name="box">{{range .Data.Boxes}}<option value="{{.Key}}">{{.Title}}</option>{{end}}</select>
<label for="fc">类别</label> <select id="fc" name="category">{{range .Data.Categories}}<option>{{.}}</option>{{end}}</select></p>
<p><label for="fs">标题</label> <input id="fs" name="subject" required></p>
<p><label for="ft">内容</label><br><textarea id="ft" name="content" rows="6" required></textarea></p>
<p><label for="fp">联系电话</label> <input id="fp" name="phone" type="tel"> <label><input type="checkbox" name="consent" value="yes"> 来信人同意公开</label></p>
<button type="submit">录入</button></form></details>{{end}}
<h2>转办给本单位的信件</h2>{{with .Data.Mine}}<ul>{{range .}}<li><a href="{{$.Base}}admin/mailbox/l/{{.Number}}">{{.Number}} {{.Subject}}</a>（{{.Category}}，{{status .Status}}，期限 {{.Deadline}}）</li>{{end}}</ul>{{else}}<p>暂无。</p>{{end}}{{end}}
`
