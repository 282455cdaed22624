package sdk

import (
	"context"
	"regexp"
)

// EventsVersion is the version of the event channel this SDK serves.
// A module built before the channel describes itself with 0, and the
// host never subscribes to it.
const EventsVersion = 1

// Event is one message of a module's event channel: what a live page
// shows as it happens (an answer posted, a question approved, the
// interview's state). Viewers never reach the module: the host keeps one
// subscription per channel and fans each event out to all of them, as
// Server-Sent Events whose id is ID, so a browser that reconnects says
// with Last-Event-ID where it was.
type Event struct {
	// ID increases within a channel and comes from the module's
	// database, so it survives the module's and the host's restarts.
	// 0 marks a control message that is not stored (EventReady).
	ID int64
	// Type is the SSE event name: "answer", "state" …
	Type string
	// Data is sent to the browser as it is: UTF-8, usually JSON.
	Data string
}

// EventReady is the type of the marker that opens every subscription:
// the host learns that the module accepted the channel (and is back
// after a restart) before any new event exists. A Streamer sends it
// (EventLog.Events does) once it has checked the channel; the transport
// puts one before the first event of a Streamer that did not.
const EventReady = "ready"

// Streamer is implemented by the handler of a module with Events set.
//
// Events first checks the channel and sends the ready marker
// (Event{Type: EventReady}), then sends, in id order, every event of the
// tenant's channel with an id greater than after; then, when until is 0, each new event as it is
// stored, until ctx ends; when until is greater than 0 it returns once
// the events up to until are sent (a replay for a viewer who was away
// longer than the host remembers). An unknown channel is an ENOTFOUND
// error, which the host answers with its 404 page.
//
// The module must store an event before sending it and give ids in the
// order events become visible, or a subscriber resuming after the
// highest id it saw could skip one.
type Streamer interface {
	Events(ctx context.Context, tenantID int64, channel string, after, until int64, send func(Event) error) error
}

// ReadyFirst wraps a Streamer's send so that the ready marker precedes
// the first event even when the Streamer did not send it; the transport
// and the test harness use it.
func ReadyFirst(send func(Event) error) func(Event) error {
	first := true
	return func(e Event) error {
		if first {
			first = false
			if e.ID != 0 || e.Type != EventReady {
				if err := send(Event{Type: EventReady}); err != nil {
					return err
				}
			}
		}
		return send(e)
	}
}

var channelName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidChannel reports whether s can name an event channel: it is a URL
// segment, so letters, digits, '-' and '_', at most 64.
func ValidChannel(s string) bool { return channelName.MatchString(s) }

// HeaderStreamOrigin, set on a page's response before Render, names the
// origin of a video stream the page plays with a script player (an HLS
// stream through Media Source Extensions): "https://tv.example.cn". The
// host then lets that page fetch from the origin and play from blob:
// URLs; every other page keeps the platform's strict policy.
const HeaderStreamOrigin = "X-Stream-Origin"
