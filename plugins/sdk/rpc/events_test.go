package rpc

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"yiwang/plugins/sdk"
)

// streamHandler serves a channel of three events, and refuses "gone".
type streamHandler struct{ http.Handler }

func (streamHandler) Events(_ context.Context, tenantID int64, channel string, after, until int64, send func(sdk.Event) error) error {
	if channel == "gone" {
		return sdk.Errorf(sdk.ENOTFOUND, "没有这个直播。")
	}
	for id := after + 1; id <= 3 && (until == 0 || id <= until); id++ {
		if err := send(sdk.Event{ID: id, Type: "answer", Data: channel}); err != nil {
			return err
		}
	}
	return nil
}

func TestEventsOfAnOlderModuleAreUnsupported(t *testing.T) {
	err := eventsOf(context.Background(), dial(t, oldModule{}), 1, "c", 0, 0, func(sdk.Event) error { return nil })
	if !errors.Is(err, sdk.ErrUnsupported) {
		t.Fatalf("events of an old module: %v, want ErrUnsupported", err)
	}
}

func TestEventsCrossTheWire(t *testing.T) {
	m := &sdk.Module{Name: "live", Events: true, New: func(context.Context, *sdk.Env) (http.Handler, error) {
		return streamHandler{http.NotFoundHandler()}, nil
	}}
	if d := descriptionFromPB(descriptionToPB(m.Describe())); d.Events != sdk.EventsVersion {
		t.Errorf("described event channel version %d", d.Events)
	}
	if d := descriptionFromPB(descriptionToPB((&sdk.Module{Name: "old"}).Describe())); d.Events != 0 {
		t.Errorf("a module without channels describes version %d", d.Events)
	}
	ms := NewModuleServer(m, nil, func(uint32) (sdk.Host, error) { return nil, nil })
	if _, err := ms.Configure(context.Background(), ConfigureRequest(Config{}, 0)); err != nil {
		t.Fatal(err)
	}
	c := dial(t, ms)
	var got []sdk.Event
	err := eventsOf(context.Background(), c, 1, "c1", 1, 3, func(e sdk.Event) error { got = append(got, e); return nil })
	if err != nil || len(got) != 3 || got[0].Type != sdk.EventReady || got[0].ID != 0 || got[1].ID != 2 || got[2].ID != 3 || got[2].Data != "c1" {
		t.Fatalf("events: %+v %v", got, err)
	}
	err = eventsOf(context.Background(), c, 1, "gone", 0, 0, func(sdk.Event) error { return nil })
	var se *sdk.Error
	if !errors.As(err, &se) || se.Code != sdk.ENOTFOUND || se.Message != "没有这个直播。" {
		t.Errorf("refused channel: %v", err)
	}
	if err := eventsOf(context.Background(), c, 1, "bad name", 0, 0, func(sdk.Event) error { return nil }); !errors.As(err, &se) || se.Code != sdk.ENOTFOUND {
		t.Errorf("bad channel name: %v", err)
	}
}
