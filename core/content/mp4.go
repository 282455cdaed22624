package content

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// mp4Brands are the ftyp brands of the MP4 family browsers play: ISO
// base media (isom, iso2…), MP4 (mp41, mp42), H.264/AVC (avc1), Apple's
// M4V, and DASH segments. A QuickTime .mov (qt) is not one.
var mp4Brands = map[string]bool{
	"isom": true, "iso2": true, "iso3": true, "iso4": true, "iso5": true, "iso6": true,
	"mp41": true, "mp42": true, "avc1": true, "M4V ": true, "M4VP": true, "dash": true,
	"mmp4": true, "f4v ": true, "MSNV": true, "3gp4": true, "3gp5": true, "3gp6": true,
}

// IsMP4 reports whether head, a file's first bytes, opens with an MP4
// file-type box: a size, "ftyp", and a major or compatible brand of the
// MP4 family. A file renamed to .mp4 has none.
func IsMP4(head []byte) bool {
	if len(head) < 16 || !bytes.Equal(head[4:8], []byte("ftyp")) {
		return false
	}
	size := binary.BigEndian.Uint32(head[:4])
	if size < 16 || size > 4096 || size%4 != 0 {
		return false
	}
	end := min(int(size), len(head))
	if mp4Brands[string(head[8:12])] {
		return true
	}
	for i := 16; i+4 <= end; i += 4 {
		if mp4Brands[string(head[i:i+4])] {
			return true
		}
	}
	return false
}

// Probe is what ffprobe says of a video; zero when ffprobe is missing
// or cannot read it (the upload goes on without).
type Probe struct {
	Duration      time.Duration
	Width, Height int
	HasVideo      bool
}

// probeTimeout bounds each ffprobe/ffmpeg run: a crafted file must not
// hold an upload forever.
const probeTimeout = 60 * time.Second

// errUnreadable: ffprobe ran and could not read the file as a video.
var errUnreadable = errors.New("ffprobe cannot read the file")

// ProbeVideo runs ffprobe on the file at path: ok false when the server
// has no ffprobe, errUnreadable when ffprobe finds no readable media.
func ProbeVideo(ctx context.Context, path string) (p Probe, ok bool, err error) {
	bin, lerr := exec.LookPath("ffprobe")
	if lerr != nil {
		return Probe{}, false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-v", "error", "-show_entries", "format=duration:stream=codec_type,width,height",
		"-of", "json", path).Output()
	if err != nil {
		if ctx.Err() != nil {
			return Probe{}, true, ctx.Err()
		}
		return Probe{}, true, errUnreadable
	}
	var v struct {
		Streams []struct {
			CodecType string `json:"codec_type"`
			Width     int    `json:"width"`
			Height    int    `json:"height"`
		} `json:"streams"`
		Format struct {
			Duration string `json:"duration"`
		} `json:"format"`
	}
	if json.Unmarshal(out, &v) != nil {
		return Probe{}, true, errUnreadable
	}
	if f, err := strconv.ParseFloat(v.Format.Duration, 64); err == nil && f > 0 {
		p.Duration = time.Duration(f * float64(time.Second))
	}
	for _, s := range v.Streams {
		if s.CodecType == "video" && !p.HasVideo {
			p.HasVideo, p.Width, p.Height = true, s.Width, s.Height
		}
	}
	return p, true, nil
}

// PosterFrame writes a JPEG of a frame a second in (or at the middle of
// a shorter video) next to the video with ffmpeg; "" when it cannot.
func PosterFrame(ctx context.Context, path string, d time.Duration) string {
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		return ""
	}
	at := time.Second
	if d > 0 && d < 2*time.Second {
		at = d / 2
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	out := filepath.Join(filepath.Dir(path), filepath.Base(path)+".poster.jpg")
	cmd := exec.CommandContext(ctx, bin, "-v", "error", "-nostdin", "-y", "-ss", strconv.FormatFloat(at.Seconds(), 'f', 3, 64),
		"-i", path, "-frames:v", "1", "-vf", "scale='min(1280,iw)':-2", "-q:v", "4", out)
	if err := cmd.Run(); err != nil {
		os.Remove(out)
		return ""
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		os.Remove(out)
		return ""
	}
	return out
}
