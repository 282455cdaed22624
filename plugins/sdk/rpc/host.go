package rpc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
	"yiwang/plugins/sdk/pb"
)

// hostClient is Host over gRPC, in the plugin process.
type hostClient struct{ c pb.HostClient }

var _ sdk.Host = (*hostClient)(nil)

func (h *hostClient) Index(ctx context.Context, d sdk.Document) error {
	_, err := h.c.IndexDocument(ctx, docToPB(d))
	return FromStatus(err)
}

func (h *hostClient) Remove(ctx context.Context, tenantID int64, id string) error {
	_, err := h.c.RemoveDocument(ctx, &pb.DocumentRef{TenantId: tenantID, Id: id})
	return FromStatus(err)
}

func (h *hostClient) AddWorkingDays(ctx context.Context, from calendar.Date, n int) (*sdk.WorkingDays, error) {
	w, err := h.c.AddWorkingDays(ctx, &pb.AddWorkingDaysRequest{From: from.String(), Days: int32(n)})
	if err != nil {
		return nil, FromStatus(err)
	}
	return workingDaysFromPB(w)
}

func (h *hostClient) WorkingDaysBetween(ctx context.Context, from, to calendar.Date) (*sdk.WorkingDays, error) {
	w, err := h.c.WorkingDaysBetween(ctx, &pb.WorkingDaysBetweenRequest{From: from.String(), To: to.String()})
	if err != nil {
		return nil, FromStatus(err)
	}
	return workingDaysFromPB(w)
}

func (h *hostClient) Audit(ctx context.Context, e sdk.AuditEntry) error {
	_, err := h.c.WriteAudit(ctx, &pb.AuditEntry{TenantId: e.TenantID, Actor: e.Actor, Action: e.Action, Target: e.Target,
		Detail: e.Detail, RemoteAddr: e.RemoteAddr, Result: e.Result})
	return FromStatus(err)
}

func (h *hostClient) Notify(ctx context.Context, n sdk.Notification) error {
	_, err := h.c.Notify(ctx, &pb.Notification{TenantId: n.TenantID, UserId: n.UserID, Subject: n.Subject, Body: n.Body, Path: n.Path})
	return FromStatus(err)
}

func (h *hostClient) Tenant(ctx context.Context, id int64) (*sdk.Tenant, error) {
	t, err := h.c.GetTenant(ctx, &pb.TenantRef{Id: id})
	if err != nil {
		return nil, FromStatus(err)
	}
	return tenantFromPB(t), nil
}

func (h *hostClient) Tenants(ctx context.Context, enabledOnly bool) ([]*sdk.Tenant, error) {
	l, err := h.c.ListTenants(ctx, &pb.ListTenantsRequest{EnabledOnly: enabledOnly})
	if err != nil {
		return nil, FromStatus(err)
	}
	out := make([]*sdk.Tenant, 0, len(l.Tenants))
	for _, t := range l.Tenants {
		out = append(out, tenantFromPB(t))
	}
	return out, nil
}

func (h *hostClient) User(ctx context.Context, tenantID, id int64) (*sdk.User, error) {
	u, err := h.c.GetUser(ctx, &pb.UserRef{Id: id, TenantId: tenantID})
	if err != nil {
		return nil, FromStatus(err)
	}
	return userFromPB(u), nil
}

func (h *hostClient) Columns(ctx context.Context, tenantID int64) ([]sdk.Column, error) {
	l, err := h.c.ListColumns(ctx, &pb.TenantRef{Id: tenantID})
	if err != nil {
		return nil, FromStatus(err)
	}
	out := make([]sdk.Column, 0, len(l.Columns))
	for _, c := range l.Columns {
		out = append(out, sdk.Column{Slug: c.Slug, Name: c.Name, Type: c.Type, Parent: c.Parent})
	}
	return out, nil
}

func (h *hostClient) Articles(ctx context.Context, q sdk.ArticleQuery) ([]sdk.Article, error) {
	l, err := h.c.ListArticles(ctx, &pb.ArticleQuery{TenantId: q.TenantID, Column: q.Column, Tag: q.Tag, Limit: int32(q.Limit)})
	if err != nil {
		return nil, FromStatus(err)
	}
	out := make([]sdk.Article, 0, len(l.Articles))
	for _, a := range l.Articles {
		out = append(out, articleFromPB(a))
	}
	return out, nil
}

func (h *hostClient) Article(ctx context.Context, tenantID, id int64) (*sdk.Article, error) {
	a, err := h.c.GetArticle(ctx, &pb.ArticleRef{TenantId: tenantID, Id: id})
	if err != nil {
		return nil, FromStatus(err)
	}
	out := articleFromPB(a)
	return &out, nil
}

func (h *hostClient) PagesChanged(ctx context.Context, tenantID int64, prefix string) error {
	_, err := h.c.PagesChanged(ctx, &pb.PagesChangedRequest{TenantId: tenantID, PathPrefix: prefix})
	if status.Code(err) == codes.Unimplemented {
		return fmt.Errorf("pages changed: %w", sdk.ErrUnsupported)
	}
	if err != nil {
		return FromStatus(err)
	}
	return nil
}

func (h *hostClient) Allow(ctx context.Context, limit, key string, n int, window time.Duration) (bool, time.Duration, error) {
	r, err := h.c.Allow(ctx, &pb.AllowRequest{Limit: limit, Key: key, Events: int32(n), WindowSeconds: int64(window / time.Second)})
	if status.Code(err) == codes.Unimplemented {
		return false, 0, fmt.Errorf("rate limit %s: %w", limit, sdk.ErrUnsupported)
	}
	if err != nil {
		return false, 0, FromStatus(err)
	}
	return r.Allowed, time.Duration(r.RetryAfterSeconds) * time.Second, nil
}

func (h *hostClient) PutFile(ctx context.Context, f sdk.File) (string, error) {
	r, err := h.c.PutFile(ctx, &pb.PutFileRequest{TenantId: f.TenantID, Name: f.Name, ContentType: f.ContentType, Data: f.Data})
	if status.Code(err) == codes.Unimplemented {
		return "", fmt.Errorf("put file: %w", sdk.ErrUnsupported)
	}
	if err != nil {
		return "", FromStatus(err)
	}
	return r.Key, nil
}

func (h *hostClient) ReadFile(ctx context.Context, tenantID int64, key string) (*sdk.File, error) {
	r, err := h.c.ReadFile(ctx, &pb.FileRef{TenantId: tenantID, Key: key})
	if status.Code(err) == codes.Unimplemented {
		return nil, fmt.Errorf("read file: %w", sdk.ErrUnsupported)
	}
	if err != nil {
		return nil, FromStatus(err)
	}
	return &sdk.File{TenantID: tenantID, ContentType: r.ContentType, Data: r.Data}, nil
}

func (h *hostClient) DeleteFile(ctx context.Context, tenantID int64, key string) error {
	_, err := h.c.DeleteFile(ctx, &pb.FileRef{TenantId: tenantID, Key: key})
	if status.Code(err) == codes.Unimplemented {
		return fmt.Errorf("delete file: %w", sdk.ErrUnsupported)
	}
	if err != nil {
		return FromStatus(err)
	}
	return nil
}

// NewHostServer serves h over gRPC: the host registers it on the broker
// for each plugin it starts; sdktest does the same with its fake.
func NewHostServer(h sdk.Host) pb.HostServer { return &hostServer{h: h} }

type hostServer struct {
	pb.UnimplementedHostServer
	h sdk.Host
}

var _ pb.HostServer = (*hostServer)(nil)

func (s *hostServer) IndexDocument(ctx context.Context, d *pb.Document) (*pb.Empty, error) {
	return &pb.Empty{}, ToStatus(s.h.Index(ctx, docFromPB(d)))
}

func (s *hostServer) RemoveDocument(ctx context.Context, r *pb.DocumentRef) (*pb.Empty, error) {
	return &pb.Empty{}, ToStatus(s.h.Remove(ctx, r.TenantId, r.Id))
}

func (s *hostServer) AddWorkingDays(ctx context.Context, r *pb.AddWorkingDaysRequest) (*pb.WorkingDays, error) {
	from, err := calendar.ParseDate(r.From)
	if err != nil {
		return nil, ToStatus(invalid(err))
	}
	w, err := s.h.AddWorkingDays(ctx, from, int(r.Days))
	if err != nil {
		return nil, ToStatus(err)
	}
	return workingDaysToPB(w), nil
}

func (s *hostServer) WorkingDaysBetween(ctx context.Context, r *pb.WorkingDaysBetweenRequest) (*pb.WorkingDays, error) {
	from, err := calendar.ParseDate(r.From)
	if err != nil {
		return nil, ToStatus(invalid(err))
	}
	to, err := calendar.ParseDate(r.To)
	if err != nil {
		return nil, ToStatus(invalid(err))
	}
	w, err := s.h.WorkingDaysBetween(ctx, from, to)
	if err != nil {
		return nil, ToStatus(err)
	}
	return workingDaysToPB(w), nil
}

func (s *hostServer) WriteAudit(ctx context.Context, e *pb.AuditEntry) (*pb.Empty, error) {
	return &pb.Empty{}, ToStatus(s.h.Audit(ctx, sdk.AuditEntry{TenantID: e.TenantId, Actor: e.Actor, Action: e.Action,
		Target: e.Target, Detail: e.Detail, RemoteAddr: e.RemoteAddr, Result: e.Result}))
}

func (s *hostServer) Notify(ctx context.Context, n *pb.Notification) (*pb.Empty, error) {
	return &pb.Empty{}, ToStatus(s.h.Notify(ctx, sdk.Notification{TenantID: n.TenantId, UserID: n.UserId, Subject: n.Subject, Body: n.Body, Path: n.Path}))
}

func (s *hostServer) GetTenant(ctx context.Context, r *pb.TenantRef) (*pb.Tenant, error) {
	t, err := s.h.Tenant(ctx, r.Id)
	if err != nil {
		return nil, ToStatus(err)
	}
	return tenantToPB(t), nil
}

func (s *hostServer) ListTenants(ctx context.Context, r *pb.ListTenantsRequest) (*pb.TenantList, error) {
	ts, err := s.h.Tenants(ctx, r.EnabledOnly)
	if err != nil {
		return nil, ToStatus(err)
	}
	out := &pb.TenantList{}
	for _, t := range ts {
		out.Tenants = append(out.Tenants, tenantToPB(t))
	}
	return out, nil
}

func (s *hostServer) GetUser(ctx context.Context, r *pb.UserRef) (*pb.User, error) {
	u, err := s.h.User(ctx, r.TenantId, r.Id)
	if err != nil {
		return nil, ToStatus(err)
	}
	return userToPB(u), nil
}

func (s *hostServer) ListColumns(ctx context.Context, r *pb.TenantRef) (*pb.ColumnList, error) {
	cs, err := s.h.Columns(ctx, r.Id)
	if err != nil {
		return nil, ToStatus(err)
	}
	out := &pb.ColumnList{}
	for _, c := range cs {
		out.Columns = append(out.Columns, &pb.Column{Slug: c.Slug, Name: c.Name, Type: c.Type, Parent: c.Parent})
	}
	return out, nil
}

func (s *hostServer) ListArticles(ctx context.Context, q *pb.ArticleQuery) (*pb.ArticleList, error) {
	as, err := s.h.Articles(ctx, sdk.ArticleQuery{TenantID: q.TenantId, Column: q.Column, Tag: q.Tag, Limit: int(q.Limit)})
	if err != nil {
		return nil, ToStatus(err)
	}
	out := &pb.ArticleList{}
	for _, a := range as {
		out.Articles = append(out.Articles, articleToPB(a))
	}
	return out, nil
}

func (s *hostServer) Allow(ctx context.Context, r *pb.AllowRequest) (*pb.AllowResponse, error) {
	ok, wait, err := s.h.Allow(ctx, r.Limit, r.Key, int(r.Events), time.Duration(r.WindowSeconds)*time.Second)
	if errors.Is(err, sdk.ErrUnsupported) {
		return nil, status.Error(codes.Unimplemented, err.Error())
	}
	if err != nil {
		return nil, ToStatus(err)
	}
	return &pb.AllowResponse{Allowed: ok, RetryAfterSeconds: int64((wait + time.Second - 1) / time.Second)}, nil
}

func (s *hostServer) PagesChanged(ctx context.Context, r *pb.PagesChangedRequest) (*pb.Empty, error) {
	err := s.h.PagesChanged(ctx, r.TenantId, r.PathPrefix)
	if errors.Is(err, sdk.ErrUnsupported) {
		return nil, status.Error(codes.Unimplemented, err.Error())
	}
	if err != nil {
		return nil, ToStatus(err)
	}
	return &pb.Empty{}, nil
}

// unsupported is the answer of a host without a call.
func unsupported(err error) error {
	if errors.Is(err, sdk.ErrUnsupported) {
		return status.Error(codes.Unimplemented, err.Error())
	}
	return ToStatus(err)
}

func (s *hostServer) PutFile(ctx context.Context, r *pb.PutFileRequest) (*pb.FileRef, error) {
	key, err := s.h.PutFile(ctx, sdk.File{TenantID: r.TenantId, Name: r.Name, ContentType: r.ContentType, Data: r.Data})
	if err != nil {
		return nil, unsupported(err)
	}
	return &pb.FileRef{TenantId: r.TenantId, Key: key}, nil
}

func (s *hostServer) ReadFile(ctx context.Context, r *pb.FileRef) (*pb.FileData, error) {
	f, err := s.h.ReadFile(ctx, r.TenantId, r.Key)
	if err != nil {
		return nil, unsupported(err)
	}
	return &pb.FileData{Data: f.Data, ContentType: f.ContentType}, nil
}

func (s *hostServer) DeleteFile(ctx context.Context, r *pb.FileRef) (*pb.Empty, error) {
	if err := s.h.DeleteFile(ctx, r.TenantId, r.Key); err != nil {
		return nil, unsupported(err)
	}
	return &pb.Empty{}, nil
}

func (s *hostServer) GetArticle(ctx context.Context, r *pb.ArticleRef) (*pb.Article, error) {
	a, err := s.h.Article(ctx, r.TenantId, r.Id)
	if err != nil {
		return nil, ToStatus(err)
	}
	return articleToPB(*a), nil
}
