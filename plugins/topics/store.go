package topics

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/sqldb"
)

// Topic states.
const (
	Draft     = "draft"
	Published = "published"
	Archived  = "archived"
)

// StatusLabel is a state as editors read it.
func StatusLabel(s string) string {
	switch s {
	case Draft:
		return "草稿"
	case Published:
		return "已发布"
	case Archived:
		return "已归档"
	}
	return s
}

// Section kinds.
const (
	KindArticles = "articles" // core articles by column and/or tag, through the host
	KindRichText = "richtext"
	KindGallery  = "gallery"
	KindVideo    = "video"
)

// KindLabel is a kind as editors read it.
func KindLabel(k string) string {
	switch k {
	case KindArticles:
		return "文章列表（按栏目、标签选取本站文章）"
	case KindRichText:
		return "图文内容"
	case KindGallery:
		return "图片集"
	case KindVideo:
		return "视频链接"
	}
	return k
}

// Kinds in the order the editor offers them.
var Kinds = []string{KindArticles, KindRichText, KindGallery, KindVideo}

// Topic is one special topic of a tenant.
type Topic struct {
	ID          int64      `db:"id"`
	TenantID    int64      `db:"tenant_id"`
	Title       string     `db:"title"`
	BannerURL   string     `db:"banner_url"`
	BannerAlt   string     `db:"banner_alt"`
	Intro       string     `db:"intro"` // plain text, paragraphs separated by blank lines
	Status      string     `db:"status"`
	Sort        int        `db:"sort"`
	Demo        bool       `db:"demo"`
	PublishedAt *time.Time `db:"published_at"`
	CreatedAt   time.Time  `db:"created_at"`
	UpdatedAt   time.Time  `db:"updated_at"`
	UpdatedBy   string     `db:"updated_by"`
}

// Paragraphs splits the introduction for display.
func (t *Topic) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(t.Intro, "\r\n", "\n"), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Excerpt is the start of the introduction, for lists.
func (t *Topic) Excerpt() string {
	s := strings.Join(t.Paragraphs(), " ")
	if utf8.RuneCountInString(s) <= 70 {
		return s
	}
	r := []rune(s)
	return string(r[:68]) + "……"
}

// StatusLabel is the topic's state as editors read it.
func (t *Topic) StatusLabel() string { return StatusLabel(t.Status) }

// Section is one block of a topic page.
type Section struct {
	ID       int64  `db:"id"`
	TenantID int64  `db:"tenant_id"`
	TopicID  int64  `db:"topic_id"`
	Sort     int    `db:"sort"`
	Kind     string `db:"kind"`
	Title    string `db:"title"`
	Column   string `db:"column_slug"`
	Tag      string `db:"tag"`
	Limit    int    `db:"max_items"`
	Body     string `db:"body"`  // rich text, sanitized on write and on render
	Items    string `db:"items"` // JSON: []Image for a gallery, Video for a video
}

// Image is one picture of a gallery.
type Image struct {
	URL     string `json:"url"`
	Alt     string `json:"alt"`
	Caption string `json:"caption,omitempty"`
}

// Video is a video block.
type Video struct {
	URL         string `json:"url"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// HTML is the rich text, sanitized again on the way out.
func (s *Section) HTML() template.HTML { return template.HTML(sdk.Sanitize(s.Body)) } //nolint:gosec // sanitized

// Images decodes a gallery.
func (s *Section) Images() []Image {
	var out []Image
	if s.Kind == KindGallery && s.Items != "" {
		_ = json.Unmarshal([]byte(s.Items), &out)
	}
	return out
}

// Video decodes a video block.
func (s *Section) Video() *Video {
	var v Video
	if s.Kind != KindVideo || s.Items == "" || json.Unmarshal([]byte(s.Items), &v) != nil {
		return nil
	}
	return &v
}

// KindLabel is the section's kind as editors read it.
func (s *Section) KindLabel() string { return KindLabel(s.Kind) }

// GalleryText is the gallery in the editor's one-line-per-image form.
func (s *Section) GalleryText() string {
	var b strings.Builder
	for _, im := range s.Images() {
		b.WriteString(im.URL + " | " + im.Alt)
		if im.Caption != "" {
			b.WriteString(" | " + im.Caption)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// The functions below read and write topics. Every one takes the
// tenant's Scope: there is no way to name a row of another tenant.

const topicFields = `id, tenant_id, title, banner_url, banner_alt, intro, status, sort, demo, published_at, created_at, updated_at, updated_by`
const sectionFields = `id, tenant_id, topic_id, sort, kind, title, column_slug, tag, max_items, body, items`

func listTopics(ctx context.Context, db *sdk.Scope, statuses ...string) ([]*Topic, error) {
	q := `SELECT ` + topicFields + ` FROM topics WHERE tenant_id = :tenant_id`
	args := sdk.Args{}
	if len(statuses) > 0 {
		var ph []string
		for i, s := range statuses {
			k := fmt.Sprintf("s%d", i)
			ph = append(ph, ":"+k)
			args[k] = s
		}
		q += ` AND status IN (` + strings.Join(ph, ", ") + `)`
	}
	q += ` ORDER BY sort, published_at DESC, id DESC`
	var out []*Topic
	if err := db.Select(ctx, &out, q, args); err != nil {
		return nil, fmt.Errorf("list topics of tenant %d: %w", db.TenantID(), err)
	}
	return out, nil
}

func getTopic(ctx context.Context, db *sdk.Scope, id int64) (*Topic, error) {
	var t Topic
	err := db.Get(ctx, &t, `SELECT `+topicFields+` FROM topics WHERE tenant_id = :tenant_id AND id = :id`, sdk.Args{"id": id})
	if err != nil {
		return nil, sdk.Found(err, "没有找到这个专题，它可能已被删除或地址有误。")
	}
	return &t, nil
}

func sectionsOf(ctx context.Context, db *sdk.Scope, topicID int64) ([]*Section, error) {
	var out []*Section
	err := db.Select(ctx, &out, `SELECT `+sectionFields+` FROM topic_sections
		WHERE tenant_id = :tenant_id AND topic_id = :topic ORDER BY sort, id`, sdk.Args{"topic": topicID})
	if err != nil {
		return nil, fmt.Errorf("sections of topic %d: %w", topicID, err)
	}
	return out, nil
}

func getSection(ctx context.Context, db *sdk.Scope, topicID, id int64) (*Section, error) {
	var s Section
	err := db.Get(ctx, &s, `SELECT `+sectionFields+` FROM topic_sections
		WHERE tenant_id = :tenant_id AND topic_id = :topic AND id = :id`, sdk.Args{"topic": topicID, "id": id})
	if err != nil {
		return nil, sdk.Found(err, "没有找到这个板块。")
	}
	return &s, nil
}

func createTopic(ctx context.Context, db *sdk.Scope, t *Topic) error {
	now := sqldb.Now()
	t.TenantID, t.CreatedAt, t.UpdatedAt = db.TenantID(), now, now
	if t.Status == "" {
		t.Status = Draft
	}
	if t.Status == Published && t.PublishedAt == nil {
		t.PublishedAt = &now
	}
	id, err := db.Insert(ctx, `INSERT INTO topics (tenant_id, title, banner_url, banner_alt, intro, status, sort, demo, published_at, created_at, updated_at, updated_by)
		VALUES (:tenant_id, :title, :banner_url, :banner_alt, :intro, :status, :sort, :demo, :published_at, :created_at, :updated_at, :updated_by)`, t)
	if err != nil {
		return fmt.Errorf("create topic: %w", err)
	}
	t.ID = id
	return nil
}

func updateTopic(ctx context.Context, db *sdk.Scope, t *Topic) error {
	t.UpdatedAt = sqldb.Now()
	_, err := db.Exec(ctx, `UPDATE topics SET title = :title, banner_url = :banner_url, banner_alt = :banner_alt, intro = :intro,
		sort = :sort, updated_at = :updated_at, updated_by = :updated_by WHERE tenant_id = :tenant_id AND id = :id`, t)
	if err != nil {
		return fmt.Errorf("update topic %d: %w", t.ID, err)
	}
	return nil
}

// setStatus moves a topic; published_at is set once, at the first
// publication, by the server's clock.
func setStatus(ctx context.Context, db *sdk.Scope, t *Topic, status, actor string) error {
	now := sqldb.Now()
	_, err := db.Exec(ctx, `UPDATE topics SET status = :status, updated_at = :now, updated_by = :actor,
		published_at = CASE WHEN :publish = 1 AND published_at IS NULL THEN :now ELSE published_at END
		WHERE tenant_id = :tenant_id AND id = :id`,
		sdk.Args{"status": status, "now": now, "actor": actor, "publish": boolInt(status == Published), "id": t.ID})
	if err != nil {
		return fmt.Errorf("set status of topic %d: %w", t.ID, err)
	}
	t.Status, t.UpdatedAt, t.UpdatedBy = status, now, actor
	if status == Published && t.PublishedAt == nil {
		t.PublishedAt = &now
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func touchTopic(ctx context.Context, db *sdk.Scope, id int64, actor string) error {
	_, err := db.Exec(ctx, `UPDATE topics SET updated_at = :now, updated_by = :actor WHERE tenant_id = :tenant_id AND id = :id`,
		sdk.Args{"now": sqldb.Now(), "actor": actor, "id": id})
	return err
}

func createSection(ctx context.Context, db *sdk.Scope, s *Section) error {
	s.TenantID = db.TenantID()
	var next int
	if err := db.Get(ctx, &next, `SELECT COALESCE(MAX(sort), 0) + 10 FROM topic_sections WHERE tenant_id = :tenant_id AND topic_id = :topic`,
		sdk.Args{"topic": s.TopicID}); err != nil {
		return fmt.Errorf("next section position: %w", err)
	}
	s.Sort = next
	id, err := db.Insert(ctx, `INSERT INTO topic_sections (tenant_id, topic_id, sort, kind, title, column_slug, tag, max_items, body, items)
		VALUES (:tenant_id, :topic_id, :sort, :kind, :title, :column_slug, :tag, :max_items, :body, :items)`, s)
	if err != nil {
		return fmt.Errorf("create section: %w", err)
	}
	s.ID = id
	return nil
}

func updateSection(ctx context.Context, db *sdk.Scope, s *Section) error {
	_, err := db.Exec(ctx, `UPDATE topic_sections SET title = :title, column_slug = :column_slug, tag = :tag, max_items = :max_items,
		body = :body, items = :items WHERE tenant_id = :tenant_id AND topic_id = :topic_id AND id = :id`, s)
	if err != nil {
		return fmt.Errorf("update section %d: %w", s.ID, err)
	}
	return nil
}

func deleteSection(ctx context.Context, db *sdk.Scope, s *Section) error {
	_, err := db.Exec(ctx, `DELETE FROM topic_sections WHERE tenant_id = :tenant_id AND topic_id = :topic AND id = :id`,
		sdk.Args{"topic": s.TopicID, "id": s.ID})
	if err != nil {
		return fmt.Errorf("delete section %d: %w", s.ID, err)
	}
	return nil
}

// moveSection swaps a section with its neighbour (dir -1 up, +1 down) and
// renumbers the topic's sections 10, 20, 30 … so positions never collide.
func moveSection(ctx context.Context, db *sdk.Scope, s *Section, dir int) error {
	all, err := sectionsOf(ctx, db, s.TopicID)
	if err != nil {
		return err
	}
	i := -1
	for k, x := range all {
		if x.ID == s.ID {
			i = k
		}
	}
	j := i + dir
	if i < 0 || j < 0 || j >= len(all) {
		return nil
	}
	all[i], all[j] = all[j], all[i]
	for k, x := range all {
		if _, err := db.Exec(ctx, `UPDATE topic_sections SET sort = :sort WHERE tenant_id = :tenant_id AND id = :id`,
			sdk.Args{"sort": (k + 1) * 10, "id": x.ID}); err != nil {
			return fmt.Errorf("reorder sections: %w", err)
		}
	}
	return nil
}

// Validation of what editors enter. Messages are shown next to the field.

type fieldErrors map[string]string

func (f fieldErrors) add(field, msg string) {
	if _, dup := f[field]; !dup {
		f[field] = msg
	}
}

func validateTopic(t *Topic) fieldErrors {
	errs := fieldErrors{}
	t.Title = strings.TrimSpace(t.Title)
	t.BannerURL = strings.TrimSpace(t.BannerURL)
	t.BannerAlt = strings.TrimSpace(t.BannerAlt)
	t.Intro = strings.TrimSpace(t.Intro)
	switch n := utf8.RuneCountInString(t.Title); {
	case n == 0:
		errs.add("title", "请填写专题名称。")
	case n > 100:
		errs.add("title", "专题名称不能超过 100 个字。")
	}
	if t.BannerURL != "" {
		if msg := checkImageURL(t.BannerURL); msg != "" {
			errs.add("banner_url", msg)
		}
		if t.BannerAlt == "" && !isAsset(t.BannerURL) {
			errs.add("banner_alt", "请为题图填写替代文字（供读屏软件朗读）。")
		}
	}
	if utf8.RuneCountInString(t.BannerAlt) > 150 {
		errs.add("banner_alt", "替代文字不能超过 150 个字。")
	}
	if utf8.RuneCountInString(t.Intro) > 5000 {
		errs.add("intro", "导语不能超过 5000 个字。")
	}
	if t.Sort < 0 || t.Sort > 9999 {
		errs.add("sort", "排序号应在 0 到 9999 之间。")
	}
	return errs
}

var assetName = regexp.MustCompile(`^[a-z0-9-]+\.svg$`)

// isAsset reports whether u names one of the module's own pictures (the
// demo banners), which work on every tenant's address.
func isAsset(u string) bool { return assetName.MatchString(u) && assetExists(u) }

// checkImageURL allows https pictures and pictures on this platform
// (paths from "/"): the pages' security policy allows no others.
func checkImageURL(u string) string {
	if isAsset(u) {
		return ""
	}
	if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "https" || p.Host == "" {
		return "图片地址应以 https:// 开头，或是本平台上的地址（以 / 开头）。"
	}
	return ""
}

func checkVideoURL(u string) string {
	if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "https" || p.Host == "" {
		return "视频地址应以 https:// 开头，或是本平台上的地址（以 / 开头）。"
	}
	return ""
}

var slugPattern = regexp.MustCompile(`^[a-z0-9_-]{1,64}$`)

// validateSection checks a section and normalises its stored form.
func validateSection(s *Section, galleryText string, video Video) fieldErrors {
	errs := fieldErrors{}
	s.Title = strings.TrimSpace(s.Title)
	if utf8.RuneCountInString(s.Title) > 100 {
		errs.add("title", "板块标题不能超过 100 个字。")
	}
	switch s.Kind {
	case KindArticles:
		s.Column, s.Tag = strings.TrimSpace(s.Column), strings.TrimSpace(s.Tag)
		if s.Column == "" && s.Tag == "" {
			errs.add("column", "请选择栏目或填写标签，至少一项。")
		}
		if s.Column != "" && !slugPattern.MatchString(s.Column) {
			errs.add("column", "栏目代码不正确。")
		}
		if utf8.RuneCountInString(s.Tag) > 50 {
			errs.add("tag", "标签不能超过 50 个字。")
		}
		if s.Limit < 1 || s.Limit > 20 {
			errs.add("limit", "显示条数应在 1 到 20 之间。")
		}
		s.Body, s.Items = "", ""
	case KindRichText:
		s.Body = sdk.Sanitize(s.Body)
		if strings.TrimSpace(sdk.PlainText(s.Body)) == "" && !strings.Contains(s.Body, "<img") {
			errs.add("body", "请填写内容。")
		}
		if len(s.Body) > 200000 {
			errs.add("body", "内容过长。")
		}
		s.Items = ""
	case KindGallery:
		var images []Image
		for n, line := range strings.Split(strings.ReplaceAll(galleryText, "\r\n", "\n"), "\n") {
			if strings.TrimSpace(line) == "" {
				continue
			}
			parts := strings.SplitN(line, "|", 3)
			im := Image{URL: strings.TrimSpace(parts[0])}
			if len(parts) > 1 {
				im.Alt = strings.TrimSpace(parts[1])
			}
			if len(parts) > 2 {
				im.Caption = strings.TrimSpace(parts[2])
			}
			if msg := checkImageURL(im.URL); msg != "" {
				errs.add("images", fmt.Sprintf("第 %d 行：%s", n+1, msg))
			}
			if im.Alt == "" {
				errs.add("images", fmt.Sprintf("第 %d 行：请填写图片的替代文字（“地址 | 替代文字 | 说明”）。", n+1))
			}
			images = append(images, im)
		}
		if len(images) == 0 {
			errs.add("images", "请至少填写一张图片。")
		}
		if len(images) > 40 {
			errs.add("images", "一个图片集最多 40 张图片。")
		}
		b, _ := json.Marshal(images)
		s.Items, s.Body = string(b), ""
	case KindVideo:
		video.URL, video.Title = strings.TrimSpace(video.URL), strings.TrimSpace(video.Title)
		video.Description = strings.TrimSpace(video.Description)
		if video.URL == "" {
			errs.add("video_url", "请填写视频地址。")
		} else if msg := checkVideoURL(video.URL); msg != "" {
			errs.add("video_url", msg)
		}
		if video.Title == "" {
			errs.add("video_title", "请填写视频标题。")
		}
		b, _ := json.Marshal(video)
		s.Items, s.Body = string(b), ""
	default:
		errs.add("kind", "板块类型不正确。")
	}
	return errs
}
