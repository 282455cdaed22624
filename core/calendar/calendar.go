// Package calendar is the calendar in force on the platform: the official
// State Council notices (the working-day engine and the shipped notices
// live in the SDK, plugins/sdk/calendar, so that a module's tests compute
// the same deadlines as the host) with the county office's corrections
// laid over them from the platform database (Store).
//
// The names below are the SDK's, so that core speaks of one calendar.
package calendar

import (
	sdkcal "yiwang/plugins/sdk/calendar"
)

type (
	Date             = sdkcal.Date
	Kind             = sdkcal.Kind
	Entry            = sdkcal.Entry
	Layer            = sdkcal.Layer
	Calendar         = sdkcal.Calendar
	Day              = sdkcal.Day
	Result           = sdkcal.Result
	YearMissingError = sdkcal.YearMissingError
)

const (
	Workday      = sdkcal.Workday
	Weekend      = sdkcal.Weekend
	Holiday      = sdkcal.Holiday
	Makeup       = sdkcal.Makeup
	OfficialName = sdkcal.OfficialName
)

var (
	Location       = sdkcal.Location
	ErrYearMissing = sdkcal.ErrYearMissing
	NewDate        = sdkcal.NewDate
	DateOf         = sdkcal.DateOf
	ParseDate      = sdkcal.ParseDate
	WeekdayName    = sdkcal.WeekdayName
	New            = sdkcal.New
	Official       = sdkcal.Official
	ParseTSV       = sdkcal.ParseTSV
)
