package admin

import (
	"io"
	"net/http"
	"net/url"
	"strconv"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/web"
)

// Video news (电视新闻) on the web: the console's video library with the
// chunked upload (static/video-upload.js: the file sent in chunks with a
// progress bar, going on after a dropped connection or a reload), the
// edit and publish pages, and the public video page. The bytes are
// served by the /files/ route like every stored file, with ranges.

// readHead reads the file's first bytes a start or resume request
// carries, with its name and size in headers.
func readHead(r *http.Request) (name string, size int64, head []byte, err error) {
	name, _ = url.QueryUnescape(r.Header.Get("X-File-Name"))
	size, err = strconv.ParseInt(r.Header.Get("X-File-Size"), 10, 64)
	if err != nil || name == "" {
		return "", 0, nil, core.Errorf(core.EINVALID, "上传请求不完整，请重新选择文件")
	}
	head, err = io.ReadAll(io.LimitReader(r.Body, 64<<10+1))
	if err != nil {
		return "", 0, nil, core.Errorf(core.EINVALID, "上传请求不完整，请重新选择文件")
	}
	return name, size, head, nil
}

func sessionJSON(w http.ResponseWriter, s *content.UploadSession, err error) {
	if err != nil {
		body := map[string]any{"ok": false, "error": core.ErrorMessage(err)}
		if s != nil {
			body["received"] = s.Received
		}
		web.WriteJSON(w, web.StatusOf(err), body)
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"ok": true, "token": s.Token, "chunk_size": s.ChunkSize, "received": s.Received, "size": s.Size})
}

func (e *Editorial) VideoStart(w http.ResponseWriter, r *http.Request, a content.Actor) {
	name, size, head, err := readHead(r)
	if err == nil {
		var s *content.UploadSession
		s, err = e.d.StartVideoUpload(r.Context(), a, e.opts.Uploads, name, size, head)
		sessionJSON(w, s, err)
		return
	}
	sessionJSON(w, nil, err)
}

func (e *Editorial) VideoResume(w http.ResponseWriter, r *http.Request, a content.Actor) {
	name, size, head, err := readHead(r)
	if err == nil {
		var s *content.UploadSession
		s, err = e.d.ResumeVideoUpload(r.Context(), a, r.PathValue("token"), name, size, head)
		sessionJSON(w, s, err)
		return
	}
	sessionJSON(w, nil, err)
}

func (e *Editorial) VideoChunk(w http.ResponseWriter, r *http.Request, a content.Actor) {
	off, err := strconv.ParseInt(r.URL.Query().Get("offset"), 10, 64)
	if err != nil || off < 0 || r.ContentLength < 0 {
		sessionJSON(w, nil, core.Errorf(core.EINVALID, "分片请求不完整"))
		return
	}
	s, err := e.d.PutChunk(r.Context(), a, e.opts.Uploads, r.PathValue("token"), off, r.ContentLength, r.Body)
	sessionJSON(w, s, err)
}

func (e *Editorial) VideoFinish(w http.ResponseWriter, r *http.Request, a content.Actor) {
	col, _ := strconv.ParseInt(r.PostFormValue("column"), 10, 64)
	v, err := e.d.FinishVideoUpload(r.Context(), a, e.opts.Uploads, r.PathValue("token"), content.VideoInput{
		Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), Transcript: r.PostFormValue("transcript"), ColumnID: col})
	if err != nil {
		web.WriteJSON(w, web.StatusOf(err), map[string]any{"ok": false, "error": core.ErrorMessage(err)})
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"ok": true, "id": v.ID, "url": web.SiteOf(r).Base + "admin/videos/" + strconv.FormatInt(v.ID, 10)})
}

// videoView is the data of admin_videos.html and admin_video.html.
type videoView struct {
	Videos    []*content.Video
	Video     *content.Video
	Columns   []*content.Column // the site's 电视新闻 columns
	CanReview bool
	CanWrite  bool
	Embed     string // the tag an editor pastes into an article's source
	Saved     string
	Error     string
	MaxVideo  string
}

func (e *Editorial) videoColumns(r *http.Request, tenantID int64) []*content.Column {
	cols, _ := e.s.Content().Columns(r.Context(), tenantID, true)
	var out []*content.Column
	var walk func([]*content.Column)
	walk = func(cs []*content.Column) {
		for _, c := range cs {
			if c.Type == content.ColumnVideo {
				out = append(out, c)
			}
			walk(c.Children)
		}
	}
	walk(cols)
	return out
}

func (e *Editorial) VideoList(w http.ResponseWriter, r *http.Request, a content.Actor) {
	vs, _, err := e.d.Videos(r.Context(), a.TenantID, 0, false, 100, 0)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	max := e.opts.Uploads.MaxVideo
	if max <= 0 {
		max = content.DefaultMaxVideo
	}
	v := videoView{Videos: vs, Columns: e.videoColumns(r, a.TenantID), CanReview: a.Can(content.PermReview),
		CanWrite: a.Can(content.PermUpload), MaxVideo: content.FormatBytes(max)}
	e.s.RenderStatus(w, r, "admin_videos", "视频管理", adminCrumbs(r, web.Crumb{Name: "视频管理", URL: ""}), v, http.StatusOK)
}

func (e *Editorial) VideoEdit(w http.ResponseWriter, r *http.Request, a content.Actor) {
	saved := ""
	if r.URL.Query().Get("saved") == "1" {
		saved = "已保存。"
	}
	e.renderVideo(w, r, a, saved, nil)
}

func (e *Editorial) renderVideo(w http.ResponseWriter, r *http.Request, a content.Actor, saved string, failed error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		e.s.RenderError(w, r, core.Errorf(core.ENOTFOUND, "没有找到这个视频"))
		return
	}
	vid, err := e.d.Video(r.Context(), a.TenantID, id, false)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	base := web.SiteOf(r).Base
	embed := `<video controls preload="metadata" src="` + base + vid.URL() + `"`
	if p := vid.PosterURL(); p != "" {
		embed += ` poster="` + base + p + `"`
	}
	embed += `></video>`
	v := videoView{Video: vid, Columns: e.videoColumns(r, a.TenantID), CanReview: a.Can(content.PermReview), CanWrite: a.Can(content.PermWrite),
		Embed: embed, Saved: saved}
	status := http.StatusOK
	if failed != nil {
		v.Error, status = core.ErrorMessage(failed), web.StatusOf(failed)
	}
	e.s.RenderStatus(w, r, "admin_video", vid.Title+" - 视频管理", adminCrumbs(r, web.Crumb{Name: "视频管理", URL: base + "admin/videos/"}, web.Crumb{Name: vid.Title, URL: ""}), v, status)
}

func (e *Editorial) VideoSave(w http.ResponseWriter, r *http.Request, a content.Actor) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	col, _ := strconv.ParseInt(r.PostFormValue("column"), 10, 64)
	err := e.d.UpdateVideo(r.Context(), a, id, content.VideoInput{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"),
		Transcript: r.PostFormValue("transcript"), ColumnID: col})
	if err != nil {
		e.renderVideo(w, r, a, "", err)
		return
	}
	http.Redirect(w, r, web.SiteOf(r).Base+"admin/videos/"+strconv.FormatInt(id, 10)+"?saved=1", http.StatusSeeOther)
}

func (e *Editorial) VideoPublish(on bool) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, a content.Actor) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err := e.d.SetVideoPublished(r.Context(), a, id, on); err != nil {
			e.renderVideo(w, r, a, "", err)
			return
		}
		http.Redirect(w, r, web.SiteOf(r).Base+"admin/videos/"+strconv.FormatInt(id, 10)+"?saved=1", http.StatusSeeOther)
	}
}

// VideoPage is a published video's public page: the player with its
// poster, the description and the transcript.
func (e *Editorial) VideoPage(w http.ResponseWriter, r *http.Request) {
	site := web.SiteOf(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		e.s.RenderError(w, r, core.Errorf(core.ENOTFOUND, "没有找到这个视频"))
		return
	}
	v, err := e.d.Video(r.Context(), site.Tenant.ID, id, true)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	p, err := e.s.NewPage(w, r, v.Title+" - "+site.Tenant.Name)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	if v.ColumnID.Valid {
		if col, err := e.s.Content().ColumnByID(r.Context(), site.Tenant.ID, v.ColumnID.Int64); err == nil {
			p.Current = col.Slug
			p.Crumbs = append(p.Crumbs, web.Crumb{Name: col.Name, URL: site.Base + "col/" + col.Slug + "/"})
			p.Meta.ColumnName = col.Name
			p.Meta.ColumnType = content.ColumnTypeLabel(col.Type)
		}
	}
	p.Crumbs = append(p.Crumbs, web.Crumb{Name: v.Title, URL: ""})
	p.Meta.ArticleTitle = v.Title
	p.Meta.Description = v.Description
	p.Data = v
	e.s.Render(w, r, "video", p)
}
