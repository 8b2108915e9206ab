package streams

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"sort"
)

// Entry is one stream entry: its ID and its flat string fields.
//
// In JSON lines (the export format of [Export] and the golden files under
// testdata/streams) an entry is one line: {"id":"1700000000000-0","fields":{…}}.
type Entry struct {
	ID     string            `json:"id"`
	Fields map[string]string `json:"fields"`
}

// Args returns the fields as XADD arguments, sorted by name so that the
// stored order is stable.
func (e Entry) Args() []any {
	names := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		names = append(names, k)
	}
	sort.Strings(names)
	args := make([]any, 0, 2*len(names))
	for _, k := range names {
		args = append(args, k, e.Fields[k])
	}
	return args
}

// maxLine bounds one JSON line; an entry larger than this is refused.
const maxLine = 16 << 20

// DecodeJSONL yields the entries of a JSON-lines stream, one per line; blank
// lines are skipped. A malformed line yields an error naming its line number
// and ends the sequence.
func DecodeJSONL(r io.Reader) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		for l, err := range decodeLines(r) {
			if err != nil {
				yield(Entry{}, fmt.Errorf("streams: %w", err))
				return
			}
			if !yield(l.entry, nil) {
				return
			}
		}
	}
}

// line is an entry with the number of the line it came from.
type line struct {
	entry Entry
	n     int
}

// decodeLines is DecodeJSONL with line numbers, for errors about entries
// that decoded fine but could not be stored.
func decodeLines(r io.Reader) iter.Seq2[line, error] {
	return func(yield func(line, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), maxLine)
		n := 0
		for sc.Scan() {
			n++
			b := sc.Bytes()
			if len(b) == 0 {
				continue
			}
			var e Entry
			if err := json.Unmarshal(b, &e); err != nil {
				yield(line{n: n}, fmt.Errorf("line %d: %w", n, err))
				return
			}
			if e.ID == "" {
				yield(line{n: n}, fmt.Errorf("line %d: entry has no id", n))
				return
			}
			if !yield(line{entry: e, n: n}, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(line{n: n + 1}, fmt.Errorf("line %d: %w", n+1, err))
		}
	}
}

// EncodeJSONL writes e as one JSON line.
func EncodeJSONL(w io.Writer, e Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("streams: encode entry %s: %w", e.ID, err)
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}
