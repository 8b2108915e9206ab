package githubtest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// hookshotAgent is the User-Agent of GitHub's webhook sender.
const hookshotAgent = "GitHub-Hookshot/b8c71d8"

// Sender delivers webhooks as GitHub does. It needs no Server, so receivers
// can be benchmarked and fuzzed with realistic, signed requests.
type Sender struct {
	URL         string
	Secret      string      // empty: no signature headers
	ContentType ContentType // default JSON
	HookID      int64

	// TargetType and TargetID fill X-GitHub-Hook-Installation-Target-*:
	// "repository", "organization" or "integration" (an App) and that
	// repository's, organization's or App's id.
	TargetType string
	TargetID   int64

	// Enterprise, if set, is sent as X-GitHub-Enterprise-Version, with
	// X-GitHub-Enterprise-Host, as GitHub Enterprise Server does.
	Enterprise string

	// Client sends the request. Nil means a client with GitHub's 10 s
	// timeout.
	Client *http.Client
}

// Result is what became of one delivery, in the terms of GitHub's delivery
// record.
type Result struct {
	Status         string // "OK", "Invalid HTTP Response: 503", "timed out", ...
	StatusCode     int    // the receiver's status, 0 when it did not answer
	Duration       time.Duration
	RequestHeaders map[string]string
	Headers        map[string]string // the receiver's response headers
	Body           string            // the receiver's response body, cut at 4 KiB
}

// Request builds the signed POST GitHub would send for event with delivery
// guid and JSON payload.
func (s *Sender) Request(
	ctx context.Context, event, guid string, payload []byte,
) (*http.Request, error) {
	body, ctype := payload, "application/json"
	if s.ContentType == Form {
		body = []byte("payload=" + url.QueryEscape(string(payload)))
		ctype = "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("webhook request: %w", err)
	}

	h := req.Header
	h.Set("Accept", "*/*")
	h.Set("Content-Type", ctype)
	h.Set("User-Agent", hookshotAgent)
	h.Set("X-GitHub-Event", event)
	h.Set("X-GitHub-Delivery", guid)
	h.Set("X-GitHub-Hook-ID", strconv.FormatInt(s.HookID, 10))
	h.Set("X-GitHub-Hook-Installation-Target-Type", s.TargetType)
	h.Set("X-GitHub-Hook-Installation-Target-ID", strconv.FormatInt(s.TargetID, 10))
	if s.Secret != "" {
		h.Set("X-Hub-Signature-256", Signature256(s.Secret, body))
		h.Set("X-Hub-Signature", Signature1(s.Secret, body))
	}
	if s.Enterprise != "" {
		h.Set("X-GitHub-Enterprise-Version", s.Enterprise)
		h.Set("X-GitHub-Enterprise-Host", req.URL.Hostname())
	}
	return req, nil
}

// Send delivers one webhook and reports the outcome. The error is non-nil
// when the receiver did not answer (Result says how) or the request could
// not be built.
func (s *Sender) Send(ctx context.Context, event, guid string, payload []byte) (Result, error) {
	req, err := s.Request(ctx, event, guid, payload)
	if err != nil {
		return Result{Status: "failed to build request"}, err
	}
	res := Result{RequestHeaders: flatten(req.Header)}
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}

	start := time.Now()
	resp, err := client.Do(req)
	res.Duration = time.Since(start)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			res.Status = "timed out"
		} else {
			res.Status = "failed to connect"
		}
		return res, fmt.Errorf("deliver %s %s: %w", event, guid, err)
	}
	defer resp.Body.Close()

	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	_, _ = io.Copy(io.Discard, resp.Body)
	res.StatusCode, res.Headers, res.Body = resp.StatusCode, flatten(resp.Header), string(b)
	res.Status = "OK"
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		res.Status = fmt.Sprintf("Invalid HTTP Response: %d", resp.StatusCode)
	}
	return res, nil
}

// Signature256 is the X-Hub-Signature-256 value for body signed with secret:
// "sha256=" and the hex HMAC-SHA256.
func Signature256(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Signature1 is the legacy X-Hub-Signature value: "sha1=" and the hex
// HMAC-SHA1.
func Signature1(secret string, body []byte) string {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(body)
	return "sha1=" + hex.EncodeToString(m.Sum(nil))
}

// flatten keeps the first value of each header, as delivery records do.
func flatten(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	return out
}
