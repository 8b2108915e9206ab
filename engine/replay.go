package engine

import (
	"fmt"
	"io"

	"github.com/anklet/anklet/streams"
)

// ReplayJSONL folds an exported event log, one streams JSON line per entry
// ({"id":"…","fields":{…}}), into each job's projection, as [Reduce] does.
// It stops at the first line that does not parse or event that does not
// apply, with an error naming the entry. WorkID stays empty: events do not
// carry it.
func ReplayJSONL(r io.Reader) (map[int64]Job, error) {
	var f fold
	for entry, err := range streams.DecodeJSONL(r) {
		if err != nil {
			return nil, fmt.Errorf("replay: %w", err)
		}
		e, err := ParseEvent(entry)
		if err != nil {
			return nil, fmt.Errorf("replay: %w", err)
		}
		if err := f.add(e); err != nil {
			return nil, fmt.Errorf("replay: %w", err)
		}
	}
	return f.result(), nil
}
