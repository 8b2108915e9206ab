package streams

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
)

func collect(t *testing.T, seq func(func(Entry, error) bool)) []Entry {
	t.Helper()
	var out []Entry
	for e, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestRangePagesAcrossBoundaries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setup(t)
	ids := fill(t, rdb, testStream, 24)

	cases := []struct {
		name       string
		start, end string
		page       int64
		want       []string
	}{
		{"all, uneven pages", "", "", 5, ids},
		{"pages divide the count", "-", "+", 6, ids},
		{"one exact page", "", "", 24, ids},
		{"page larger than the stream", "", "", 100, ids},
		{"page of one", "", "", 1, ids},
		{"inner slice", ids[4], ids[17], 4, ids[4:18]},
		{"exclusive start", "(" + ids[4], ids[17], 3, ids[5:18]},
		{"empty range", ids[10], ids[9], 3, nil},
	}
	for _, tc := range cases {
		got := collect(t, Range(ctx, rdb, testStream, tc.start, tc.end, tc.page))
		ids := make([]string, len(got))
		for i, e := range got {
			ids[i] = e.ID
			if e.Fields["n"] == "" {
				t.Fatalf("%s: entry %s has no fields", tc.name, e.ID)
			}
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("%s: got %d entries %v, want %d", tc.name, len(ids), ids, len(tc.want))
		}
	}

	// Stopping early is honoured.
	n := 0
	for range Range(ctx, rdb, testStream, "", "", 2) {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Fatalf("stopped after %d entries, want 3", n)
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setup(t)
	for i := range 1200 { // more than two export pages
		fields := map[string]string{
			"type": "queued", "note": "a \"quoted\"\nline", "i": string(rune('a' + i%26)),
		}
		if _, err := Append(ctx, rdb, testStream, fields, AppendOptions{}); err != nil {
			t.Fatal(err)
		}
	}

	var buf bytes.Buffer
	n, err := Export(ctx, rdb, testStream, &buf)
	if err != nil || n != 1200 {
		t.Fatalf("Export = %d, %v; want 1200", n, err)
	}
	dump := buf.String()
	const copyStream = "anklet:{copy}:events"
	n, err = Import(ctx, rdb, copyStream, strings.NewReader(dump))
	if err != nil || n != 1200 {
		t.Fatalf("Import = %d, %v; want 1200", n, err)
	}

	orig := collect(t, Range(ctx, rdb, testStream, "", "", 0))
	copied := collect(t, Range(ctx, rdb, copyStream, "", "", 0))
	if len(orig) != len(copied) {
		t.Fatalf("copy holds %d entries, want %d", len(copied), len(orig))
	}
	for i := range orig {
		if orig[i].ID != copied[i].ID || !sameFields(copied[i].Fields, orig[i].Fields) {
			t.Fatalf("entry %d: copy %+v, original %+v", i, copied[i], orig[i])
		}
	}

	// Importing again: the first id is not above the top.
	n, err = Import(ctx, rdb, copyStream, strings.NewReader(dump))
	if err == nil || n != 0 || !strings.Contains(err.Error(), "line 1:") {
		t.Fatalf("second Import = %d, %v; want 0 and an error naming line 1", n, err)
	}
}

func TestImportNamesTheBadLine(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, rdb := setup(t)
	src := strings.Join([]string{
		`{"id":"5-0","fields":{"a":"1"}}`,
		``,
		`{"id":"6-0","fields":{"a":"2"}}`,
		`{"id":"6-0","fields":{"a":"3"}}`,
		`{"id":"7-0","fields":{"a":"4"}}`,
	}, "\n")
	n, err := Import(ctx, rdb, testStream, strings.NewReader(src))
	if n != 2 || err == nil || !strings.Contains(err.Error(), "line 4: id 6-0") {
		t.Fatalf("Import = %d, %v; want 2 and an error naming line 4", n, err)
	}
	if l := rdb.XLen(ctx, testStream).Val(); l != 2 {
		t.Fatalf("stream holds %d entries, want the 2 before the bad line", l)
	}

	_, err = Import(ctx, rdb, testStream, strings.NewReader(`{"id":"9-0","fields":{}}`))
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("Import of an entry without fields = %v, want an error naming line 1", err)
	}
}
