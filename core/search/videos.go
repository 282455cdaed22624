package search

import (
	"context"
	"strconv"
	"strings"

	"yiwang/core/content"
)

// Videos is the source of published videos (电视新闻): their title,
// description and transcript. Publishing writes their outbox rows
// (content.Desk.SetVideoPublished); a rebuild reads them here.
type Videos struct {
	Desk *content.Desk
}

// Name implements Source; TypeVideo also prefixes its document ids.
func (Videos) Name() string { return TypeVideo }

// Owns implements Source.
func (Videos) Owns(id string) bool { return strings.HasPrefix(id, TypeVideo+":") }

// Each implements Source.
func (v Videos) Each(ctx context.Context, tenantID int64, fn func(Doc) error) error {
	const page = 200
	for off := 0; ; off += page {
		vs, _, err := v.Desk.Videos(ctx, tenantID, 0, true, page, off)
		if err != nil {
			return err
		}
		for _, vid := range vs {
			d := Doc{ID: TypeVideo + ":" + strconv.FormatInt(vid.ID, 10), TenantID: vid.TenantID, Type: TypeVideo,
				URL: "video/" + strconv.FormatInt(vid.ID, 10), Title: vid.Title, Body: vid.SearchBody(), Column: vid.ColumnName, Date: vid.CreatedAt}
			if err := fn(d); err != nil {
				return err
			}
		}
		if len(vs) < page {
			return nil
		}
	}
}
