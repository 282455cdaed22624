package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/pb"
)

// Events serves the handler's event channel if it is a Streamer. The
// ready marker goes first (the Streamer's own, sent once it accepted the
// channel, or one put before its first event), so the host knows the
// subscription stands before any event is posted, and a refused channel
// is refused before it.
func (s *ModuleServer) Events(req *pb.EventsRequest, stream grpc.ServerStreamingServer[pb.Event]) error {
	h, err := s.current()
	if err != nil {
		return ToStatus(err)
	}
	st, ok := h.(sdk.Streamer)
	if !ok {
		return status.Error(codes.Unimplemented, "module has no event channel")
	}
	if !sdk.ValidChannel(req.Channel) {
		return ToStatus(sdk.Errorf(sdk.ENOTFOUND, "没有这个直播频道。"))
	}
	err = st.Events(stream.Context(), req.TenantId, req.Channel, req.AfterId, req.UntilId, sdk.ReadyFirst(func(e sdk.Event) error {
		if e.ID <= 0 && e.Type != sdk.EventReady {
			return fmt.Errorf("event of channel %s without an id", req.Channel)
		}
		return stream.Send(&pb.Event{Id: e.ID, Type: e.Type, Data: e.Data})
	}))
	if err != nil && stream.Context().Err() != nil {
		return nil // the host went away: no error to report
	}
	return ToStatus(err)
}

// Events subscribes to a module's channel: emit receives the ready
// marker, then the events after after (up to until, when until > 0; else
// following until ctx ends). A module without the channel answers
// sdk.ErrUnsupported.
func (p *Plugin) Events(ctx context.Context, tenantID int64, channel string, after, until int64, emit func(sdk.Event) error) error {
	return eventsOf(ctx, p.conn.module, tenantID, channel, after, until, emit)
}

// EventsOf is Events over any module client (harnesses use it).
func EventsOf(ctx context.Context, m pb.ModuleClient, tenantID int64, channel string, after, until int64, emit func(sdk.Event) error) error {
	return eventsOf(ctx, m, tenantID, channel, after, until, emit)
}

func eventsOf(ctx context.Context, m pb.ModuleClient, tenantID int64, channel string, after, until int64, emit func(sdk.Event) error) error {
	st, err := m.Events(ctx, &pb.EventsRequest{TenantId: tenantID, Channel: channel, AfterId: after, UntilId: until})
	if err != nil {
		return eventsErr(err)
	}
	for {
		e, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return eventsErr(err)
		}
		if err := emit(sdk.Event{ID: e.Id, Type: e.Type, Data: e.Data}); err != nil {
			return err
		}
	}
}

func eventsErr(err error) error {
	if status.Code(err) == codes.Unimplemented {
		return fmt.Errorf("event channel: %w", sdk.ErrUnsupported)
	}
	if IsTransport(err) {
		return err // the host tells a module that is gone from one that refuses
	}
	return FromStatus(err)
}
