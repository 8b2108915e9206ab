package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// docsURL is the documentation_url GitHub puts in error bodies.
const docsURL = "https://docs.github.com/rest"

// apiError is GitHub's error body.
type apiError struct {
	Message          string       `json:"message"`
	DocumentationURL string       `json:"documentation_url"`
	Status           string       `json:"status"`
	Errors           []fieldError `json:"errors,omitempty"`
}

type fieldError struct {
	Resource string `json:"resource"`
	Field    string `json:"field"`
	Code     string `json:"code"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeErrorDoc(w, status, message, docsURL)
}

func writeErrorDoc(w http.ResponseWriter, status int, message, doc string) {
	writeJSON(w, status, apiError{
		Message: message, DocumentationURL: doc, Status: strconv.Itoa(status),
	})
}

// pageParams reads per_page (default 30, at most 100) and page (from 1).
func pageParams(r *http.Request) (perPage, page int) {
	perPage, page = 30, 1
	if v, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	if v, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && v > 0 {
		page = v
	}
	return perPage, page
}

// paginate returns the requested page of items and sets GitHub's Link
// header (next, last, first, prev) for offset pagination.
func paginate[T any](w http.ResponseWriter, r *http.Request, items []T) []T {
	perPage, page := pageParams(r)
	last := max((len(items)+perPage-1)/perPage, 1)

	var links []string
	add := func(p int, rel string) {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(perPage))
		links = append(links, fmt.Sprintf("<%s>; rel=%q", selfURL(r, q), rel))
	}
	if page < last {
		add(page+1, "next")
		add(last, "last")
	}
	if page > 1 {
		add(1, "first")
		add(min(page-1, last), "prev")
	}
	setLinks(w, links)

	start := (page - 1) * perPage
	if start >= len(items) {
		return []T{}
	}
	return items[start:min(start+perPage, len(items))]
}

func setLinks(w http.ResponseWriter, links []string) {
	if len(links) == 0 {
		return
	}
	v := links[0]
	for _, l := range links[1:] {
		v += ", " + l
	}
	w.Header().Set("Link", v)
}

// selfURL is the request's own URL with query q.
func selfURL(r *http.Request, q url.Values) string {
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}

// timestamp renders t as GitHub does, or null for the zero time.
func timestamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// nullable returns nil for the zero value, so JSON shows null.
func nullable[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}
