package anka

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max  int
	buf  []byte
	lost bool
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
		t.lost = true
	}
	return len(p), nil
}

// Bytes returns what the buffer holds.
func (t *tailBuffer) Bytes() []byte { return t.buf }

// Truncated reports whether earlier output was dropped.
func (t *tailBuffer) Truncated() bool { return t.lost }

// progressWriter splits output into lines, logs {"p":0.62}-style progress
// lines at debug and passes every other line on.
type progressWriter struct {
	c       *CLI
	cl      call
	next    *tailBuffer
	partial []byte
}

func (c *CLI) progressWriter(cl call, next *tailBuffer) *progressWriter {
	return &progressWriter{c: c, cl: cl, next: next}
}

func (w *progressWriter) Write(p []byte) (int, error) {
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := w.partial[:i+1]
		if !w.progress(line) {
			w.next.Write(line)
		}
		w.partial = w.partial[i+1:]
	}
	return len(p), nil
}

// Flush passes on a last line that has no newline, such as the envelope.
func (w *progressWriter) Flush() {
	if len(w.partial) > 0 && !w.progress(w.partial) {
		w.next.Write(w.partial)
	}
	w.partial = nil
}

func (w *progressWriter) progress(line []byte) bool {
	line = bytes.TrimSpace(line)
	if !bytes.HasPrefix(line, []byte(`{"p":`)) {
		return false
	}
	var p struct {
		P *float64 `json:"p"`
	}
	if err := json.Unmarshal(line, &p); err != nil || p.P == nil {
		return false
	}
	w.c.log.Debug().Str("op", w.cl.op).Str("vm", w.cl.vm).Float64("progress", *p.P).
		Msg("anka: progress")
	return true
}

// lastLine returns the last non-empty line of out.
func lastLine(out []byte) []byte {
	out = bytes.TrimRight(out, " \t\r\n")
	if i := bytes.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:]
	}
	return bytes.TrimSpace(out)
}

// snippet shortens output for an error message.
func snippet(out []byte) string {
	const max = 512
	s := strings.TrimSpace(string(out))
	if len(s) > max {
		s = s[len(s)-max:]
		for len(s) > 0 && !utf8.RuneStart(s[0]) {
			s = s[1:]
		}
		s = "…" + s
	}
	return s
}
