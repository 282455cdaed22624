package topics

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"yiwang/plugins/sdk"
)

// editor guards the console: only holders of topics.edit on the request's
// tenant get past, and what they reach is that tenant's topics only.
func (h *Handler) editor(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !sdk.Can(r, PermEdit) {
			if sdk.UserOf(r) == nil && r.Method == http.MethodGet {
				// Signing in is the way in; the sign-in page brings the
				// editor back here.
				http.Redirect(w, r, sdk.LoginURL(r), http.StatusSeeOther)
				return
			}
			msg := "您没有管理本站专题的权限。如需开通，请联系本站管理员。"
			if sdk.UserOf(r) == nil {
				msg = "请先使用本站编辑账号登录，再管理专题。"
			}
			sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "%s", msg))
			return
		}
		next(w, r)
	}
}

func adminCrumbs(r *http.Request, more ...sdk.Crumb) []sdk.Crumb {
	return append([]sdk.Crumb{{Name: "专题管理", URL: sdk.URL(r, "admin/topics/")}}, more...)
}

// audit writes a staff action to the platform audit log. The change is
// already made: a failure to log is logged here, not shown to the editor,
// who could do nothing about it.
func (h *Handler) audit(r *http.Request, action, target, detail string) {
	err := h.env.Host.Audit(r.Context(), sdk.AuditEntry{TenantID: sdk.TenantOf(r).ID, Actor: sdk.UserOf(r).Actor(),
		Action: action, Target: target, Detail: detail, RemoteAddr: r.RemoteAddr})
	if err != nil {
		h.env.Log.Error("audit log write failed", "action", action, "target", target, "err", err)
	}
}

type adminListView struct {
	Topics []*Topic
	Saved  string
}

func (h *Handler) adminList(w http.ResponseWriter, r *http.Request) {
	ts, err := listTopics(r.Context(), h.db(r))
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	h.render(w, r, "admin_list", "专题管理", adminCrumbs(r)[:1:1], 0, adminListView{Topics: ts, Saved: flash(r)})
}

// flash is the confirmation shown after a redirect.
func flash(r *http.Request) string {
	switch r.URL.Query().Get("done") {
	case "created":
		return "专题已创建。可以继续添加板块，完成后发布。"
	case "saved":
		return "已保存。"
	case "published":
		return "专题已发布。"
	case "draft":
		return "专题已撤回为草稿，公众不再能看到。"
	case "archived":
		return "专题已归档，列入“往期专题”。"
	case "section-added":
		return "板块已添加，请填写内容后保存。"
	case "section-saved":
		return "板块已保存。"
	case "section-deleted":
		return "板块已删除。"
	case "section-moved":
		return "板块顺序已调整。"
	}
	return ""
}

type editView struct {
	Topic    *Topic
	Banner   string
	Errors   fieldErrors
	Sections []*sectionForm
	Columns  []sdk.Column
	Kinds    []string
	Saved    string
	// Confirm is the section waiting for its deletion to be confirmed.
	Confirm *Section
}

type sectionForm struct {
	*Section
	Errors fieldErrors
	// GalleryInput and VideoInput keep what the editor typed after an error.
	GalleryInput string
	VideoInput   Video
}

func (h *Handler) newForm(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, "edit", "新建专题", adminCrumbs(r, sdk.Crumb{Name: "新建专题"}), 0, editView{Topic: &Topic{}})
}

func topicFromForm(r *http.Request, t *Topic) {
	t.Title = r.PostFormValue("title")
	t.BannerURL = r.PostFormValue("banner_url")
	t.BannerAlt = r.PostFormValue("banner_alt")
	t.Intro = r.PostFormValue("intro")
	t.Sort, _ = strconv.Atoi(strings.TrimSpace(r.PostFormValue("sort")))
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	t := &Topic{}
	topicFromForm(r, t)
	if errs := validateTopic(t); len(errs) > 0 {
		h.render(w, r, "edit", "新建专题", adminCrumbs(r, sdk.Crumb{Name: "新建专题"}), http.StatusBadRequest, editView{Topic: t, Errors: errs})
		return
	}
	t.UpdatedBy = sdk.UserOf(r).Actor()
	if err := createTopic(r.Context(), h.db(r), t); err != nil {
		sdk.Fail(w, err)
		return
	}
	h.audit(r, "topic.create", topicTarget(t), t.Title)
	http.Redirect(w, r, sdk.URL(r, fmt.Sprintf("admin/topics/%d?done=created", t.ID)), http.StatusSeeOther)
}

func topicTarget(t *Topic) string { return fmt.Sprintf("topic:%d", t.ID) }

// loadEdit reads the topic of the path with its sections, for the edit
// page and every form on it.
func (h *Handler) loadEdit(r *http.Request) (*editView, error) {
	id, err := topicID(r, "id")
	if err != nil {
		return nil, err
	}
	db := h.db(r)
	t, err := getTopic(r.Context(), db, id)
	if err != nil {
		return nil, err
	}
	secs, err := sectionsOf(r.Context(), db, t.ID)
	if err != nil {
		return nil, err
	}
	v := &editView{Topic: t, Banner: bannerURL(r, t.BannerURL), Kinds: Kinds}
	for _, s := range secs {
		v.Sections = append(v.Sections, &sectionForm{Section: s, GalleryInput: s.GalleryText(), VideoInput: videoOrZero(s)})
	}
	cols, err := h.env.Host.Columns(r.Context(), t.TenantID)
	if err != nil {
		// The form falls back to a text field for the column.
		h.env.Log.Warn("list columns for the topic editor", "tenant", t.TenantID, "err", err)
	}
	v.Columns = cols
	return v, nil
}

func videoOrZero(s *Section) Video {
	if v := s.Video(); v != nil {
		return *v
	}
	return Video{}
}

func (h *Handler) renderEdit(w http.ResponseWriter, r *http.Request, v *editView, status int) {
	h.render(w, r, "edit", "编辑专题："+v.Topic.Title, adminCrumbs(r, sdk.Crumb{Name: v.Topic.Title}), status, v)
}

func (h *Handler) edit(w http.ResponseWriter, r *http.Request) {
	v, err := h.loadEdit(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	v.Saved = flash(r)
	h.renderEdit(w, r, v, 0)
}

func (h *Handler) save(w http.ResponseWriter, r *http.Request) {
	v, err := h.loadEdit(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	t := v.Topic
	topicFromForm(r, t)
	if errs := validateTopic(t); len(errs) > 0 {
		v.Errors = errs
		h.renderEdit(w, r, v, http.StatusBadRequest)
		return
	}
	t.UpdatedBy = sdk.UserOf(r).Actor()
	if err := updateTopic(r.Context(), h.db(r), t); err != nil {
		sdk.Fail(w, err)
		return
	}
	h.audit(r, "topic.update", topicTarget(t), t.Title)
	h.syncIndex(r.Context(), t)
	http.Redirect(w, r, sdk.URL(r, fmt.Sprintf("admin/topics/%d?done=saved", t.ID)), http.StatusSeeOther)
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request) {
	v, err := h.loadEdit(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	t := v.Topic
	to := r.PostFormValue("status")
	switch to {
	case Draft, Published, Archived:
	default:
		sdk.Fail(w, sdk.Errorf(sdk.EINVALID, "无效的专题状态。"))
		return
	}
	if to == t.Status {
		http.Redirect(w, r, sdk.URL(r, fmt.Sprintf("admin/topics/%d", t.ID)), http.StatusSeeOther)
		return
	}
	from := t.Status
	if err := setStatus(r.Context(), h.db(r), t, to, sdk.UserOf(r).Actor()); err != nil {
		sdk.Fail(w, err)
		return
	}
	action := map[string]string{Published: "topic.publish", Draft: "topic.withdraw", Archived: "topic.archive"}[to]
	h.audit(r, action, topicTarget(t), fmt.Sprintf("%s：%s → %s", t.Title, StatusLabel(from), StatusLabel(to)))
	h.syncIndex(r.Context(), t)
	http.Redirect(w, r, sdk.URL(r, fmt.Sprintf("admin/topics/%d?done=%s", t.ID, to)), http.StatusSeeOther)
}

func (h *Handler) addSection(w http.ResponseWriter, r *http.Request) {
	v, err := h.loadEdit(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	s := &Section{TopicID: v.Topic.ID, Kind: r.PostFormValue("kind"), Title: strings.TrimSpace(r.PostFormValue("title")), Limit: 8, Items: ""}
	errs := fieldErrors{}
	if KindLabel(s.Kind) == s.Kind {
		errs.add("new_kind", "请选择板块类型。")
	}
	if s.Title == "" {
		errs.add("new_title", "请填写板块标题。")
	} else if len([]rune(s.Title)) > 100 {
		errs.add("new_title", "板块标题不能超过 100 个字。")
	}
	if len(errs) > 0 {
		v.Errors = errs
		h.renderEdit(w, r, v, http.StatusBadRequest)
		return
	}
	// A new section is filled in on the edit page; until then it stays
	// off the public page (see Section.complete).
	if err := createSection(r.Context(), h.db(r), s); err != nil {
		sdk.Fail(w, err)
		return
	}
	_ = touchTopic(r.Context(), h.db(r), v.Topic.ID, sdk.UserOf(r).Actor())
	h.audit(r, "section.create", topicTarget(v.Topic), fmt.Sprintf("%s：%s（%s）", v.Topic.Title, s.Title, KindLabel(s.Kind)))
	http.Redirect(w, r, sdk.URL(r, fmt.Sprintf("admin/topics/%d?done=section-added#es%d", v.Topic.ID, s.ID)), http.StatusSeeOther)
}

func (h *Handler) section(w http.ResponseWriter, r *http.Request) {
	v, err := h.loadEdit(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	sid, err := topicID(r, "sid")
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	// The section is looked up within this tenant's topic: an id of
	// another topic or tenant is "not found".
	db := h.db(r)
	s, err := getSection(r.Context(), db, v.Topic.ID, sid)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	t := v.Topic
	actor := sdk.UserOf(r).Actor()
	done := ""
	switch r.PostFormValue("action") {
	case "up", "down":
		dir := -1
		if r.PostFormValue("action") == "down" {
			dir = 1
		}
		if err := moveSection(r.Context(), db, s, dir); err != nil {
			sdk.Fail(w, err)
			return
		}
		h.audit(r, "section.move", topicTarget(t), fmt.Sprintf("%s：%s %s", t.Title, s.Title, r.PostFormValue("action")))
		done = "section-moved"
	case "delete":
		// Deleting asks once more, on a page of its own: no script needed.
		v.Confirm = s
		h.renderEdit(w, r, v, 0)
		return
	case "delete-confirmed":
		if err := deleteSection(r.Context(), db, s); err != nil {
			sdk.Fail(w, err)
			return
		}
		h.audit(r, "section.delete", topicTarget(t), fmt.Sprintf("%s：%s", t.Title, s.Title))
		done = "section-deleted"
	default:
		s.Title = r.PostFormValue("title")
		s.Column = r.PostFormValue("column")
		s.Tag = r.PostFormValue("tag")
		s.Limit, _ = strconv.Atoi(strings.TrimSpace(r.PostFormValue("limit")))
		s.Body = r.PostFormValue("body")
		gallery := r.PostFormValue("images")
		video := Video{URL: r.PostFormValue("video_url"), Title: r.PostFormValue("video_title"), Description: r.PostFormValue("video_description")}
		errs := validateSection(s, gallery, video)
		if strings.TrimSpace(s.Title) == "" {
			errs.add("title", "请填写板块标题。")
		}
		if len(errs) > 0 {
			for _, f := range v.Sections {
				if f.ID == s.ID {
					f.Section, f.Errors, f.GalleryInput, f.VideoInput = s, errs, gallery, video
				}
			}
			h.renderEdit(w, r, v, http.StatusBadRequest)
			return
		}
		if err := updateSection(r.Context(), db, s); err != nil {
			sdk.Fail(w, err)
			return
		}
		h.audit(r, "section.update", topicTarget(t), fmt.Sprintf("%s：%s", t.Title, s.Title))
		done = "section-saved"
	}
	_ = touchTopic(r.Context(), db, t.ID, actor)
	h.syncIndex(r.Context(), t)
	http.Redirect(w, r, sdk.URL(r, fmt.Sprintf("admin/topics/%d?done=%s#es%d", t.ID, done, s.ID)), http.StatusSeeOther)
}

// syncIndex keeps the search index in step with a topic: a published
// topic is a document, any other state is none. Search is secondary to
// the edit that was made: a failure is logged, and a Reindex repairs it.
func (h *Handler) syncIndex(ctx context.Context, t *Topic) {
	var err error
	if t.Status == Published {
		var d sdk.Document
		if d, err = h.document(ctx, h.env.DB.Tenant(t.TenantID), t); err == nil {
			err = h.env.Host.Index(ctx, d)
		}
	} else {
		err = h.env.Host.Remove(ctx, t.TenantID, strconv.FormatInt(t.ID, 10))
	}
	if err != nil {
		h.env.Log.Warn("search index not updated", "tenant", t.TenantID, "topic", t.ID, "err", err)
	}
}

// document is the search document of a published topic: its title, its
// introduction and the text of its sections.
func (h *Handler) document(ctx context.Context, db *sdk.Scope, t *Topic) (sdk.Document, error) {
	secs, err := sectionsOf(ctx, db, t.ID)
	if err != nil {
		return sdk.Document{}, err
	}
	var b strings.Builder
	b.WriteString(t.Intro)
	for _, s := range secs {
		if !s.complete() {
			continue
		}
		b.WriteString("\n" + s.Title)
		switch s.Kind {
		case KindRichText:
			b.WriteString("\n" + strings.TrimSpace(sdk.PlainText(sdk.Sanitize(s.Body))))
		case KindGallery:
			for _, im := range s.Images() {
				b.WriteString("\n" + im.Alt + " " + im.Caption)
			}
		case KindVideo:
			if vd := s.Video(); vd != nil {
				b.WriteString("\n" + vd.Title + " " + vd.Description)
			}
		}
	}
	d := sdk.Document{ID: strconv.FormatInt(t.ID, 10), TenantID: t.TenantID, Type: "topic",
		Path: fmt.Sprintf("topics/%d", t.ID), Title: t.Title, Body: b.String(), Tags: []string{"专题"}}
	if t.PublishedAt != nil {
		d.Date = *t.PublishedAt
	}
	return d, nil
}
