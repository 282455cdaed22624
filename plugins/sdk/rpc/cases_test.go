package rpc

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
	"yiwang/plugins/sdk/pb"
)

// oldModule is a module built before the Cases call: it has only the
// generated stubs, which answer Unimplemented.
type oldModule struct{ pb.UnimplementedModuleServer }

// caseModule answers Cases with the cases given.
type caseModule struct {
	pb.UnimplementedModuleServer
	cases []*pb.Case
}

func (m caseModule) Cases(context.Context, *pb.CasesRequest) (*pb.CasesResponse, error) {
	return &pb.CasesResponse{Cases: m.cases}, nil
}

// dial serves srv in memory and returns a client of it.
func dial(t *testing.T, srv pb.ModuleServer) pb.ModuleClient {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	s := grpc.NewServer()
	pb.RegisterModuleServer(s, srv)
	go func() { _ = s.Serve(lis) }()
	t.Cleanup(s.Stop)
	cc, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(context.Context, string) (net.Conn, error) { return lis.Dial() }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cc.Close() })
	return pb.NewModuleClient(cc)
}

func TestCasesOfAnOlderModuleAreNone(t *testing.T) {
	cases, err := casesOf(context.Background(), dial(t, oldModule{}), 7)
	if err != nil || len(cases) != 0 {
		t.Fatalf("casesOf(old module) = %v, %v; want no cases and no error", cases, err)
	}
}

func TestCasesCrossTheWire(t *testing.T) {
	upd := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	want := []sdk.Case{
		{TenantID: 3, Kind: "信件", Number: "XJ20260001", Title: "路灯不亮", State: "办理中",
			Due: calendar.NewDate(2026, 2, 27), Overdue: true, Path: "mailbox/my/XJ20260001", Updated: upd},
		{TenantID: 4, Kind: "依申请公开", Number: "YS2026-0002", Title: "预算", State: "已答复", Path: "disclosure/my/YS2026-0002", Updated: upd, Closed: true},
	}
	var onWire []*pb.Case
	for _, c := range want {
		onWire = append(onWire, CaseToPB(c))
	}
	if onWire[1].Due != "" {
		t.Errorf("a case without deadline carries due %q", onWire[1].Due)
	}
	got, err := casesOf(context.Background(), dial(t, caseModule{cases: onWire}), 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d cases, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("case %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	bad := caseModule{cases: []*pb.Case{{Number: "X", Due: "2026-13-01"}}}
	if _, err := casesOf(context.Background(), dial(t, bad), 7); err == nil {
		t.Error("a malformed due date was read as no deadline")
	}
}
