package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
)

// PrometheusContentType is the Content-Type of the Prometheus output: the
// text exposition format 0.0.4.
const PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

// JSONContentType is the Content-Type of the JSON output.
const JSONContentType = "application/json"

// Source is what a metrics Server serves: a Registry (one process) or an
// Aggregator (every process publishing to a Redis).
type Source interface {
	// WritePrometheus writes the metrics in the Prometheus text format.
	WritePrometheus(ctx context.Context, w io.Writer) error
	// WriteJSON writes the metrics as JSON.
	WriteJSON(ctx context.Context, w io.Writer) error
}

// WritePrometheus writes the registry's metrics in the Prometheus text
// format, with HELP and TYPE lines; timestamps are Unix seconds. Host and
// queue figures are read now, queues bounded by Options.QueueTimeout. It
// fails only when w does.
func (r *Registry) WritePrometheus(ctx context.Context, w io.Writer) error {
	var buf bytes.Buffer
	r.set.WritePrometheus(&buf)

	s := r.Snapshot(ctx)
	fs := families{}
	fs.addState(&s, nil)
	if err := fs.writeText(&buf); err != nil {
		return fmt.Errorf("render metrics: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write metrics: %w", err)
	}
	return nil
}

// WriteJSON writes the registry's Snapshot as one JSON object followed by a
// newline. It fails only when w does.
func (r *Registry) WriteJSON(ctx context.Context, w io.Writer) error {
	if err := encodeJSON(w, r.Snapshot(ctx)); err != nil {
		return fmt.Errorf("write metrics: %w", err)
	}
	return nil
}

// encodeJSON writes v compactly, leaving &, < and > in job URLs readable.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
