package streams

import (
	"context"
	"fmt"
	"io"
	"iter"

	"github.com/redis/go-redis/v9"
)

// DefaultPageSize is how many entries one XRANGE call of [Range] fetches
// when the caller gives no page size.
const DefaultPageSize = 500

// Range yields the entries of stream from start to end, both inclusive,
// oldest first, fetching pageSize entries per XRANGE call. start defaults to
// "-" (the first entry) and end to "+" (the last); a start of "(id" excludes
// id. pageSize <= 0 means [DefaultPageSize]. Each next page starts after the
// last id seen, so entries appended meanwhile show up if they are within
// end, and none is yielded twice.
//
// A Redis error is yielded once, with a zero Entry, and ends the sequence;
// so does a cancelled ctx (with ctx.Err()). A missing stream yields nothing.
func Range(
	ctx context.Context, rdb redis.UniversalClient, stream, start, end string, pageSize int64,
) iter.Seq2[Entry, error] {
	if start == "" {
		start = "-"
	}
	if end == "" {
		end = "+"
	}
	if pageSize <= 0 {
		pageSize = DefaultPageSize
	}
	return func(yield func(Entry, error) bool) {
		from := start
		for {
			if err := ctx.Err(); err != nil {
				yield(Entry{}, err)
				return
			}
			page, err := rdb.XRangeN(ctx, stream, from, end, pageSize).Result()
			if err != nil {
				yield(Entry{}, wrap("range", stream, err))
				return
			}
			for _, m := range page {
				if !yield(Entry{ID: m.ID, Fields: stringFields(m.Values)}, nil) {
					return
				}
			}
			if int64(len(page)) < pageSize {
				return
			}
			from = "(" + page[len(page)-1].ID
		}
	}
}

// Export writes every entry of stream to w as JSON lines (see [EncodeJSONL]),
// oldest first, and returns how many it wrote. It reads in pages, so a
// stream that grows meanwhile is exported up to wherever the last page
// ended. It backs "anklet dump".
func Export(
	ctx context.Context, rdb redis.UniversalClient, stream string, w io.Writer,
) (int, error) {
	n := 0
	for e, err := range Range(ctx, rdb, stream, "-", "+", 0) {
		if err != nil {
			return n, err
		}
		if err := EncodeJSONL(w, e); err != nil {
			return n, wrap("export", stream, err)
		}
		n++
	}
	return n, nil
}

// Import appends the JSON-lines entries read from r to stream, keeping their
// ids, and returns how many it wrote. It backs "anklet replay". Ids must grow
// from line to line and exceed the stream's top id; the first entry that
// cannot be stored (an id not above the top, no fields, a malformed line)
// stops the import with an error naming its line. Entries before it stay
// written. Each entry is one XADD round trip.
func Import(
	ctx context.Context, rdb redis.UniversalClient, stream string, r io.Reader,
) (int, error) {
	n := 0
	for l, err := range decodeLines(r) {
		if err != nil {
			return n, wrap("import", stream, err)
		}
		if len(l.entry.Fields) == 0 {
			return n, wrap("import", stream, fmt.Errorf("line %d: entry %s has no fields",
				l.n, l.entry.ID))
		}
		err := rdb.XAdd(ctx, &redis.XAddArgs{
			Stream: stream, ID: l.entry.ID, Values: l.entry.Args(),
		}).Err()
		if err != nil {
			return n, wrap("import", stream, fmt.Errorf("line %d: id %s: %w", l.n, l.entry.ID, err))
		}
		n++
	}
	return n, nil
}
