package cli

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"

	"yiwang/core/calendar"
	"yiwang/core/web/host"
)

func init() {
	// The county console's page for the same corrections.
	extendServe(serveExtension{name: "calendar", start: func(_ context.Context, _ *env, p *platform, srv *host.Server) (func(), error) {
		srv.EnableCalendar(calendar.NewStore(p.db))
		return nil, nil
	}})
	register("calendar", "工作日历：list [--year Y] | set DATE off|work --source 依据 [--holiday 名称] | clear DATE | add-year YEAR --source 通知文号", calendarCmd)
}

// calendarCmd is how the county office corrects the working-day calendar
// and adds a new year once the State Council's notice is out. Deadlines
// of open cases are recomputed by the modules against the new calendar.
func calendarCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageError{"缺少子命令：list、set、clear 或 add-year"}
	}
	sub := args[0]
	fs, sf := commandFlags(e, "calendar "+sub)
	year := fs.Int("year", 0, "只列出这一年")
	holiday := fs.String("holiday", "", "节日名称（如 春节）")
	source := fs.String("source", "", "依据：通知文号或说明（必填）")
	if err := parseFlags(fs, interleave(fs, args[1:])); err != nil {
		return err
	}
	p, err := sf.open(ctx, e)
	if err != nil {
		return err
	}
	defer p.Close()
	cs := calendar.NewStore(p.db)
	who := actor()
	switch sub {
	case "list":
		cal, err := cs.Current(ctx)
		if err != nil {
			return err
		}
		l, err := cs.Layer(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已收录年份：%v（其余年份的时限无法计算，须先 add-year）\n", cal.Years())
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "日期\t类型\t节日\t依据")
		for _, en := range l.Entries {
			if *year != 0 && en.Date.Year != *year {
				continue
			}
			kind := "调休上班"
			if en.Off {
				kind = "放假"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", en.Date, kind, en.Holiday, en.Source)
		}
		return tw.Flush()
	case "set":
		if fs.NArg() != 2 || (fs.Arg(1) != "off" && fs.Arg(1) != "work") {
			return usageError{"用法：yiwang calendar set DATE off|work --source 依据 [--holiday 名称]"}
		}
		d, err := calendar.ParseDate(fs.Arg(0))
		if err != nil {
			return usageError{"日期应为 YYYY-MM-DD：" + fs.Arg(0)}
		}
		if err := cs.SetDay(ctx, who, d, fs.Arg(1) == "off", *holiday, *source); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已修订 %s：%s。各模块在办件的时限将按新日历重新计算。\n", d, map[bool]string{true: "放假", false: "调休上班"}[fs.Arg(1) == "off"])
	case "clear":
		if fs.NArg() != 1 {
			return usageError{"用法：yiwang calendar clear DATE"}
		}
		d, err := calendar.ParseDate(fs.Arg(0))
		if err != nil {
			return usageError{"日期应为 YYYY-MM-DD：" + fs.Arg(0)}
		}
		if err := cs.ClearDay(ctx, who, d); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已撤销 %s 的修订，恢复按官方安排计算。\n", d)
	case "add-year":
		if fs.NArg() != 1 {
			return usageError{"用法：yiwang calendar add-year YEAR --source 通知文号"}
		}
		y, err := strconv.Atoi(fs.Arg(0))
		if err != nil {
			return usageError{"年份应为数字：" + fs.Arg(0)}
		}
		if err := cs.AddYear(ctx, who, y, *source); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已收录 %d 年。请确认该年的放假和调休日期都已用 calendar set 录入。\n", y)
	default:
		return usageError{"未知子命令“" + sub + "”"}
	}
	return nil
}
