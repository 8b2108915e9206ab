package anka

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

const (
	statusOK    = "OK"
	statusError = "ERROR"
)

// envelope is the JSON object every `anka -j` command prints last.
type envelope struct {
	Status        string          `json:"status"`
	Body          json.RawMessage `json:"body"`
	Message       string          `json:"message"`
	Code          int             `json:"code"`
	ExceptionType string          `json:"exception_type"`
}

// parseEnvelope decodes the last non-empty line of out. Progress lines and
// other chatter before it are ignored.
func parseEnvelope(out []byte) (envelope, error) {
	line := lastLine(out)
	if len(line) == 0 {
		return envelope{}, fmt.Errorf("no output")
	}
	var env envelope
	if err := json.Unmarshal(line, &env); err != nil {
		return envelope{}, fmt.Errorf("decode envelope %q: %w", snippet(line), err)
	}
	if env.Status == "" {
		return envelope{}, fmt.Errorf("envelope without status: %q", snippet(line))
	}
	return env, nil
}

// decodeBody unmarshals the envelope body into v; a body of another shape
// is an ErrBadOutput error.
func decodeBody(cl call, env envelope, v any) error {
	if err := json.Unmarshal(env.Body, v); err != nil {
		return badOutput(cl, "decode body: %v", err)
	}
	return nil
}

// emptyBody reports a body that is missing, null, {} or [].
func emptyBody(raw json.RawMessage) bool {
	switch string(bytes.TrimSpace(raw)) {
	case "", "null", "{}", "[]":
		return true
	}
	return false
}

// isArray reports whether the body is a JSON array.
func isArray(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '['
}

// text accepts a JSON string or number, for fields whose type differs
// between Anka versions (such as a build number).
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or number, got %s", b)
	}
	*t = text(n.String())
	return nil
}

// timestamp accepts an RFC 3339 string or an empty one.
type timestamp time.Time

func (t *timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want an RFC 3339 string, got %s", b)
	}
	if s == "" {
		return nil
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return err
	}
	*t = timestamp(v)
	return nil
}

// size accepts a byte count as a JSON number or a decimal string, as `show`
// reports ram both ways.
type size uint64

func (s *size) UnmarshalJSON(b []byte) error {
	str := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
	}
	if str == "null" {
		return nil
	}
	v, err := strconv.ParseUint(str, 10, 64)
	if err != nil {
		return fmt.Errorf("want a byte count, got %s", b)
	}
	*s = size(v)
	return nil
}
