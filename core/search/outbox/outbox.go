// Package outbox writes the rows that announce a change to the search
// index, inside the caller's transaction. It is apart from core/search so
// that the content store can write rows without depending on the search
// backends; the worker that drains the rows lives in core/search.
package outbox

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"
	"yiwang/core/store"
)

// Kinds of row.
const (
	Article = "article" // ref: the article id; the worker reads its state
	Doc     = "doc"     // ref: a document id; payload: the document, or NULL to remove
	Reindex = "reindex" // rebuild tenant_id's documents (0: every tenant)
)

// Write adds a row in x (a transaction). payload is nil except for Doc upserts.
func Write(ctx context.Context, x sqlx.ExecerContext, kind string, tenantID int64, ref string, payload []byte) error {
	var p any
	if payload != nil {
		p = string(payload)
	}
	if _, err := x.ExecContext(ctx, `INSERT INTO search_outbox (kind, tenant_id, ref, payload, created_at) VALUES (?, ?, ?, ?, ?)`,
		kind, tenantID, ref, p, store.Now()); err != nil {
		return fmt.Errorf("search outbox: %w", err)
	}
	return nil
}

// ArticleChanged announces that an article's state changed (published,
// edited, withdrawn, deleted): the worker will make the index agree with
// the database.
func ArticleChanged(ctx context.Context, x sqlx.ExecerContext, tenantID, articleID int64) error {
	return Write(ctx, x, Article, tenantID, strconv.FormatInt(articleID, 10), nil)
}
