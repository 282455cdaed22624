package interview

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"yiwang/plugins/sdk"
)

var adminCrumb = sdk.Crumb{Name: "访谈管理"}

func (h *Handler) adminList(w http.ResponseWriter, r *http.Request) {
	ivs, err := listInterviews(r.Context(), h.db(r))
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	now := h.now()
	var rows []listed
	for _, iv := range ivs {
		rows = append(rows, listed{Interview: iv, Phase: iv.Phase(now), URL: sdk.URL(r, "admin/interview/"+iv.Channel())})
	}
	h.render(w, r, "admin_list", "访谈管理", []sdk.Crumb{adminCrumb}, http.StatusOK, rows)
}

// planForm is the plan of an interview as the form sends it.
type planForm struct {
	Title, Description, HostName, Starts, Duration, AnnounceDays, VideoURL string
	Publish                                                                bool
}

func (h *Handler) newForm(w http.ResponseWriter, r *http.Request) {
	f := planForm{Duration: "90", AnnounceDays: strconv.Itoa(settingsOf(r).AnnounceDays)}
	h.render(w, r, "plan", "新建访谈", []sdk.Crumb{adminCrumb, {Name: "新建访谈"}}, http.StatusOK, map[string]any{"F": f})
}

// readPlan checks the plan form; problems are in Chinese, one per field.
func readPlan(r *http.Request) (planForm, *Interview, []string, string) {
	f := planForm{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), HostName: r.PostFormValue("host_name"),
		Starts: r.PostFormValue("starts"), Duration: r.PostFormValue("duration"), AnnounceDays: r.PostFormValue("announce_days"),
		VideoURL: r.PostFormValue("video_url"), Publish: r.PostFormValue("publish") == "yes"}
	iv := &Interview{Published: f.Publish}
	var problems []string
	add := func(p string) {
		if p != "" {
			problems = append(problems, p)
		}
	}
	var p, note string
	iv.Title, p = plain("访谈主题", f.Title, 100, true)
	add(p)
	iv.HostName, p = plain("主持人", f.HostName, 50, false)
	add(p)
	iv.Description, note, p = rich("访谈简介", f.Description, 5000, false)
	add(p)
	if t, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(f.Starts), cst); err != nil {
		add("请填写访谈时间（年-月-日 时:分）。")
	} else {
		iv.StartsAt = t.UTC()
	}
	if n, err := strconv.Atoi(strings.TrimSpace(f.Duration)); err != nil || n < 10 || n > 600 {
		add("访谈时长须在 10 到 600 分钟之间。")
	} else {
		iv.DurationMin = n
	}
	if n, err := strconv.Atoi(strings.TrimSpace(f.AnnounceDays)); err != nil || n < 0 || n > 60 {
		add("提前预告天数须在 0 到 60 之间。")
	} else {
		iv.AnnounceDays = n
	}
	if v := strings.TrimSpace(f.VideoURL); v != "" {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && !(u.Scheme == "" && strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//"))) || markup.MatchString(v) {
			add("视频地址须是电视台提供的 https 直播地址（.m3u8）或本站地址。")
		} else {
			iv.VideoURL = v
		}
	}
	return f, iv, problems, note
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	f, iv, problems, _ := readPlan(r)
	if len(problems) > 0 {
		h.render(w, r, "plan", "新建访谈", []sdk.Crumb{adminCrumb, {Name: "新建访谈"}}, http.StatusBadRequest, map[string]any{"F": f, "Problems": problems})
		return
	}
	now := h.now().UTC()
	id, err := h.db(r).Insert(r.Context(), `INSERT INTO interviews (tenant_id, title, description, host_name, starts_at, duration_min, announce_days,
		video_url, published, summary, created_at, updated_at)
		VALUES (:tenant_id, :title, :description, :host, :starts, :duration, :announce, :video, :published, '', :now, :now)`,
		sdk.Args{"title": iv.Title, "description": iv.Description, "host": iv.HostName, "starts": iv.StartsAt, "duration": iv.DurationMin,
			"announce": iv.AnnounceDays, "video": iv.VideoURL, "published": iv.Published, "now": now})
	if err != nil {
		sdk.Fail(w, fmt.Errorf("create interview: %w", err))
		return
	}
	h.audit(r, "interview.create", strconv.FormatInt(id, 10), iv.Title)
	http.Redirect(w, r, sdk.URL(r, "admin/interview/"+strconv.FormatInt(id, 10)), http.StatusSeeOther)
}

// adminData is the staff page of one interview.
type adminData struct {
	IV       *Interview
	Phase    string
	F        planForm
	Problems []string
	Done     string
	Pending  []*Question
	Queue    []*Question // approved, not yet answered, in order
	Others   []*Question // rejected, merged, answered
	Answers  []*Answer
	Overdue  bool
	Public   string
}

func (h *Handler) staffInterview(r *http.Request) (*Interview, error) {
	id, err := idOf(r, "id")
	if err != nil {
		return nil, err
	}
	return getInterview(r.Context(), h.db(r), id)
}

func (h *Handler) adminPage(w http.ResponseWriter, r *http.Request) {
	iv, err := h.staffInterview(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	h.renderAdmin(w, r, iv, http.StatusOK, nil, r.URL.Query().Get("done"))
}

var doneText = map[string]string{
	"saved": "已保存。", "guest": "已添加嘉宾。", "approve": "问题已采纳，排入嘉宾答复队列。", "reject": "问题已不予采纳，提问人可看到理由。",
	"merge": "问题已合并。", "note": "备注已保存。", "answer": "答复已发布，观看直播的网友即时可见。", "ended": "访谈已结束。",
	"transcript": "文字实录已发布，并已进入全站搜索。", "cleaned": "答复已发布；其中的脚本等不安全代码已被自动清除。",
}

func (h *Handler) renderAdmin(w http.ResponseWriter, r *http.Request, iv *Interview, status int, problems []string, done string) {
	ctx := r.Context()
	s := h.db(r)
	if err := h.ensureDue(ctx, iv); err != nil {
		h.env.Log.Warn("interview: deadline for later answers", "interview", iv.ID, "err", err)
	}
	qs, err := questionsOf(ctx, s, iv.ID)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	as, err := answersOf(ctx, s, iv.ID)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	d := adminData{IV: iv, Phase: iv.Phase(h.now()), Problems: problems, Done: doneText[done], Answers: as,
		Public: sdk.URL(r, "interview/"+iv.Channel())}
	d.F = planForm{Title: iv.Title, Description: iv.Description, HostName: iv.HostName, Starts: iv.StartsAt.In(cst).Format("2006-01-02T15:04"),
		Duration: strconv.Itoa(iv.DurationMin), AnnounceDays: strconv.Itoa(iv.AnnounceDays), VideoURL: iv.VideoURL, Publish: iv.Published}
	for _, q := range qs {
		switch {
		case q.Status == QPending:
			d.Pending = append(d.Pending, q)
		case q.Status == QApproved && q.Answered == "":
			d.Queue = append(d.Queue, q)
		default:
			d.Others = append(d.Others, q)
		}
	}
	sortQueue(d.Queue)
	d.Overdue = iv.AfterDue != "" && iv.AfterDue < h.today().String() && len(d.Queue) > 0
	h.render(w, r, "admin", iv.Title, []sdk.Crumb{{Name: "访谈管理", URL: sdk.URL(r, "admin/interview/")}, {Name: iv.Title}}, status, d)
}

func sortQueue(qs []*Question) {
	for i := 1; i < len(qs); i++ {
		for j := i; j > 0 && qs[j].QueuePos < qs[j-1].QueuePos; j-- {
			qs[j], qs[j-1] = qs[j-1], qs[j]
		}
	}
}

func (h *Handler) back(w http.ResponseWriter, r *http.Request, iv *Interview, done string) {
	http.Redirect(w, r, sdk.URL(r, "admin/interview/"+iv.Channel()+"?done="+done), http.StatusSeeOther)
}

func (h *Handler) save(w http.ResponseWriter, r *http.Request) {
	iv, err := h.staffInterview(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	_, nv, problems, _ := readPlan(r)
	if len(problems) > 0 {
		h.renderAdmin(w, r, iv, http.StatusBadRequest, problems, "")
		return
	}
	_, err = h.db(r).Exec(r.Context(), `UPDATE interviews SET title = :title, description = :description, host_name = :host, starts_at = :starts,
		duration_min = :duration, announce_days = :announce, video_url = :video, published = :published, updated_at = :now
		WHERE tenant_id = :tenant_id AND id = :id`,
		sdk.Args{"id": iv.ID, "title": nv.Title, "description": nv.Description, "host": nv.HostName, "starts": nv.StartsAt, "duration": nv.DurationMin,
			"announce": nv.AnnounceDays, "video": nv.VideoURL, "published": nv.Published, "now": h.now().UTC()})
	if err != nil {
		sdk.Fail(w, fmt.Errorf("save interview %d: %w", iv.ID, err))
		return
	}
	h.audit(r, "interview.save", iv.Channel(), nv.Title)
	if iv.TranscriptAt != nil {
		h.indexTranscript(r.Context(), iv.TenantID, iv.ID)
	}
	h.back(w, r, iv, "saved")
}

// readPhoto reads an optional PNG or JPEG upload of the form field name.
func readPhoto(r *http.Request, name string) ([]byte, string, string) {
	f, fh, err := r.FormFile(name)
	if err != nil {
		return nil, "", "" // none sent
	}
	defer f.Close()
	if fh.Size > maxPhoto {
		return nil, "", fmt.Sprintf("图片不能超过 %d MB。", maxPhoto>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxPhoto+1))
	if err != nil || len(data) > maxPhoto {
		return nil, "", "图片无法读取或过大。"
	}
	if len(data) == 0 {
		return nil, "", ""
	}
	ct := http.DetectContentType(data)
	if ct != "image/png" && ct != "image/jpeg" {
		return nil, "", "图片须是 PNG 或 JPEG 格式。"
	}
	return data, ct, ""
}

func (h *Handler) addGuest(w http.ResponseWriter, r *http.Request) {
	iv, err := h.staffInterview(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	var problems []string
	name, p := plain("嘉宾姓名", r.FormValue("name"), 50, true)
	if p != "" {
		problems = append(problems, p)
	}
	post, p := plain("嘉宾职务", r.FormValue("post"), 100, false)
	if p != "" {
		problems = append(problems, p)
	}
	data, ct, p := readPhoto(r, "photo")
	if p != "" {
		problems = append(problems, p)
	}
	if len(problems) > 0 {
		h.renderAdmin(w, r, iv, http.StatusBadRequest, problems, "")
		return
	}
	key := h.putPhoto(r.Context(), iv.TenantID, ct, data)
	err = h.env.DB.Tx(r.Context(), iv.TenantID, func(s *sdk.Scope) error {
		var pid int64
		if data != nil {
			var err error
			if pid, err = insertPhoto(r.Context(), s, iv.ID, ct, data, key); err != nil {
				return err
			}
		}
		_, err := s.Insert(r.Context(), `INSERT INTO interview_guests (tenant_id, interview_id, name, post, photo_id, sort)
			VALUES (:tenant_id, :iv, :name, :post, :photo, :sort)`, sdk.Args{"iv": iv.ID, "name": name, "post": post, "photo": pid, "sort": len(iv.Guests)})
		return err
	})
	if err != nil {
		h.dropPhoto(r.Context(), iv.TenantID, key)
		sdk.Fail(w, fmt.Errorf("add guest: %w", err))
		return
	}
	h.audit(r, "interview.guest", iv.Channel(), name)
	h.back(w, r, iv, "guest")
}

// screen is a moderator's decision on a question: approve (into the
// guests' queue), reject with a reason, merge into another question, or a
// private note.
func (h *Handler) screen(w http.ResponseWriter, r *http.Request) {
	iv, err := h.staffInterview(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	qid, err := idOf(r, "qid")
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	ctx := r.Context()
	q, err := getQuestion(ctx, h.db(r), iv.ID, qid)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	action := r.PostFormValue("action")
	args := sdk.Args{"id": q.ID, "iv": iv.ID, "now": h.now().UTC(), "by": sdk.UserOf(r).Actor()}
	var stmt, detail string
	switch action {
	case "approve":
		if q.Status != QPending {
			h.renderAdmin(w, r, iv, http.StatusConflict, []string{"这个问题已经处理过了。"}, "")
			return
		}
		var pos int
		if err := h.db(r).Get(ctx, &pos, `SELECT COALESCE(MAX(queue_pos), 0) FROM interview_questions WHERE tenant_id = :tenant_id AND interview_id = :iv`,
			sdk.Args{"iv": iv.ID}); err != nil {
			sdk.Fail(w, err)
			return
		}
		args["pos"] = pos + 1
		stmt = `status = 'approved', queue_pos = :pos`
	case "reject":
		reason, p := plain("不予采纳的理由", r.PostFormValue("reason"), 200, true)
		if p != "" {
			h.renderAdmin(w, r, iv, http.StatusBadRequest, []string{p}, "")
			return
		}
		if q.Answered != "" {
			h.renderAdmin(w, r, iv, http.StatusConflict, []string{"已答复的问题不能再不予采纳。"}, "")
			return
		}
		args["reason"] = reason
		stmt, detail = `status = 'rejected', reason = :reason`, reason
	case "merge":
		into, err := strconv.ParseInt(r.PostFormValue("into"), 10, 64)
		target, terr := getQuestion(ctx, h.db(r), iv.ID, into)
		if err != nil || terr != nil || into == q.ID || target.Status != QApproved {
			h.renderAdmin(w, r, iv, http.StatusBadRequest, []string{"请选择要合并到的已采纳问题。"}, "")
			return
		}
		args["into"] = into
		stmt, detail = `status = 'merged', merged_into = :into`, "into "+strconv.FormatInt(into, 10)
	case "note":
		note, p := plain("备注", r.PostFormValue("note"), 500, false)
		if p != "" {
			h.renderAdmin(w, r, iv, http.StatusBadRequest, []string{p}, "")
			return
		}
		args["note"] = note
		stmt = `note = :note`
	default:
		sdk.Fail(w, sdk.Errorf(sdk.EINVALID, "未知的操作。"))
		return
	}
	if _, err := h.db(r).Exec(ctx, `UPDATE interview_questions SET `+stmt+`, decided_by = :by, updated_at = :now
		WHERE tenant_id = :tenant_id AND interview_id = :iv AND id = :id`, args); err != nil {
		sdk.Fail(w, fmt.Errorf("%s question %d: %w", action, q.ID, err))
		return
	}
	h.audit(r, "question."+action, strconv.FormatInt(q.ID, 10), detail)
	h.back(w, r, iv, action)
}

// answer posts an answer: during the interview (phase live, pushed to
// every viewer), or after it for an approved question not answered live.
// Before the start and once the transcript is out, answers are refused.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request) {
	iv, err := h.staffInterview(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	ctx := r.Context()
	ph := iv.Phase(h.now())
	var problems []string
	speaker, p := plain("答复人", r.FormValue("speaker"), 50, true)
	if p != "" {
		problems = append(problems, p)
	}
	body, note, p := rich("答复内容", r.FormValue("body"), 10000, true)
	if p != "" {
		problems = append(problems, p)
	}
	data, ct, p := readPhoto(r, "photo")
	if p != "" {
		problems = append(problems, p)
	}
	alt, p := plain("图片说明", r.FormValue("photo_alt"), 100, data != nil)
	if p != "" {
		problems = append(problems, p)
	}
	var q *Question
	if v := r.FormValue("question"); v != "" && v != "0" {
		qid, _ := strconv.ParseInt(v, 10, 64)
		q, err = getQuestion(ctx, h.db(r), iv.ID, qid)
		if err != nil || q.Status != QApproved {
			problems = append(problems, "只能答复已采纳的问题。")
		} else if q.Answered != "" {
			problems = append(problems, "这个问题已经答复过了。")
		}
	}
	phase := "live"
	switch ph {
	case PhaseLive:
	case PhaseEnded:
		phase = "after"
		if q == nil {
			problems = append(problems, "访谈已结束，不能再发布现场答复；访谈后只能答复尚未答复的网友问题，请选择问题。")
		}
	case PhaseArchived:
		problems = append(problems, "文字实录已发布，不能再发布答复。")
	default:
		problems = append(problems, "访谈尚未开始，不能发布答复。")
	}
	if len(problems) > 0 {
		h.renderAdmin(w, r, iv, http.StatusBadRequest, problems, "")
		return
	}
	now := h.now().UTC()
	var aid int64
	key := h.putPhoto(ctx, iv.TenantID, ct, data)
	err = h.log.Tx(ctx, iv.TenantID, func(s *sdk.Scope, emit sdk.Emit) error {
		var pid int64
		if data != nil {
			if pid, err = insertPhoto(ctx, s, iv.ID, ct, data, key); err != nil {
				return err
			}
		}
		a := &Answer{TenantID: iv.TenantID, InterviewID: iv.ID, Speaker: speaker, Body: body, PhotoID: pid, PhotoAlt: alt, Phase: phase,
			CreatedBy: sdk.UserOf(r).Actor(), CreatedAt: now}
		args := sdk.Args{"iv": iv.ID, "q": int64(0), "speaker": speaker, "body": body, "photo": pid, "alt": alt, "phase": phase, "by": a.CreatedBy, "now": now}
		if q != nil {
			args["q"] = q.ID
			a.QuestionID, a.Question = q.ID, q.Body
		}
		var err error
		aid, err = s.Insert(ctx, `INSERT INTO interview_answers (tenant_id, interview_id, question_id, speaker, body, photo_id, photo_alt, phase, created_by, created_at)
			VALUES (:tenant_id, :iv, :q, :speaker, :body, :photo, :alt, :phase, :by, :now)`, args)
		if err != nil {
			return fmt.Errorf("store answer: %w", err)
		}
		a.ID = aid
		if q != nil {
			if _, err := s.Exec(ctx, `UPDATE interview_questions SET answered = :phase, answered_at = :now, updated_at = :now
				WHERE tenant_id = :tenant_id AND interview_id = :iv AND (id = :q OR merged_into = :q)`, args); err != nil {
				return fmt.Errorf("mark question answered: %w", err)
			}
		}
		if phase != "live" {
			return nil
		}
		html, err := h.answerHTML(sdk.Base(r), a)
		if err != nil {
			return err
		}
		payload, _ := json.Marshal(map[string]any{"id": aid, "html": html})
		_, err = emit(iv.Channel(), "answer", string(payload))
		return err
	})
	if err != nil {
		h.dropPhoto(ctx, iv.TenantID, key) // the answer was not saved
		sdk.Fail(w, err)
		return
	}
	h.audit(r, "answer.post", strconv.FormatInt(aid, 10), phase)
	if note != "" {
		h.back(w, r, iv, "cleaned")
		return
	}
	h.back(w, r, iv, "answer")
}

// answerHTML renders one answer as the live page lists it, the same
// template for the page and for the event.
func (h *Handler) answerHTML(base string, a *Answer) (string, error) {
	var buf bytes.Buffer
	if err := h.pages.ExecuteTemplate(&buf, "answer", map[string]any{"A": a, "Base": base}); err != nil {
		return "", fmt.Errorf("render answer: %w", err)
	}
	return buf.String(), nil
}

// end ends the interview now: no more live answers or questions; the
// live pages hear it at once.
func (h *Handler) end(w http.ResponseWriter, r *http.Request) {
	iv, err := h.staffInterview(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	if ph := iv.Phase(h.now()); ph != PhaseLive {
		h.renderAdmin(w, r, iv, http.StatusConflict, []string{"只有正在进行的访谈可以结束。"}, "")
		return
	}
	now := h.now().UTC()
	err = h.log.Tx(r.Context(), iv.TenantID, func(s *sdk.Scope, emit sdk.Emit) error {
		if _, err := s.Exec(r.Context(), `UPDATE interviews SET ended_at = :now, updated_at = :now WHERE tenant_id = :tenant_id AND id = :id`,
			sdk.Args{"id": iv.ID, "now": now}); err != nil {
			return fmt.Errorf("end interview %d: %w", iv.ID, err)
		}
		payload, _ := json.Marshal(map[string]string{"phase": PhaseEnded, "message": "本期访谈已结束，感谢您的关注。文字实录将在整理后发布。"})
		_, err := emit(iv.Channel(), "state", string(payload))
		return err
	})
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	iv.EndedAt = &now
	if err := h.ensureDue(r.Context(), iv); err != nil {
		h.env.Log.Warn("interview: deadline for later answers", "interview", iv.ID, "err", err)
	}
	h.audit(r, "interview.end", iv.Channel(), "")
	h.back(w, r, iv, "ended")
}

// publishTranscript publishes the 文字实录 of an interview that has ended
// and makes it a search document.
func (h *Handler) publishTranscript(w http.ResponseWriter, r *http.Request) {
	iv, err := h.staffInterview(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	ph := iv.Phase(h.now())
	if ph != PhaseEnded && ph != PhaseArchived {
		h.renderAdmin(w, r, iv, http.StatusConflict, []string{"访谈结束后才能发布文字实录。"}, "")
		return
	}
	summary, _, p := rich("实录说明", r.PostFormValue("summary"), 5000, false)
	if p != "" {
		h.renderAdmin(w, r, iv, http.StatusBadRequest, []string{p}, "")
		return
	}
	now := h.now().UTC()
	if _, err := h.db(r).Exec(r.Context(), `UPDATE interviews SET transcript_at = COALESCE(transcript_at, :now), summary = :summary, updated_at = :now
		WHERE tenant_id = :tenant_id AND id = :id`, sdk.Args{"id": iv.ID, "now": now, "summary": summary}); err != nil {
		sdk.Fail(w, fmt.Errorf("publish transcript %d: %w", iv.ID, err))
		return
	}
	h.audit(r, "interview.transcript", iv.Channel(), iv.Title)
	h.indexTranscript(r.Context(), iv.TenantID, iv.ID)
	h.back(w, r, iv, "transcript")
}

// ensureDue fixes, once the interview has ended, the date by which the
// approved questions not answered live are answered: 5 working days
// after the day it ended, by the host's calendar.
func (h *Handler) ensureDue(ctx context.Context, iv *Interview) error {
	if iv.AfterDue != "" || !iv.Published || h.now().Before(iv.End()) {
		return nil
	}
	wd, err := h.env.Host.AddWorkingDays(ctx, dateOf(iv.End()), afterDays)
	if err != nil {
		return err
	}
	iv.AfterDue = wd.Date.String()
	_, err = h.env.DB.Tenant(iv.TenantID).Exec(ctx, `UPDATE interviews SET after_due = :due WHERE tenant_id = :tenant_id AND id = :id`,
		sdk.Args{"id": iv.ID, "due": iv.AfterDue})
	return err
}
