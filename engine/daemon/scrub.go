package daemon

import (
	"encoding/json"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/rs/zerolog"
)

// MinSecretLen is the shortest value a [Scrubber] hides. Shorter values
// (a password such as "true") would also erase unrelated log text, so they
// are left to the configuration's own redaction.
const MinSecretLen = 6

// Redaction replaces every secret a [Scrubber] finds.
const Redaction = "[redacted]"

// Scrubber is an io.Writer that replaces every known secret value with
// [Redaction] before passing the bytes on. It is the last line of defence
// behind code that never logs secrets on purpose: it catches a token inside
// an error message or a command line. It expects each Write to carry whole
// log lines, as zerolog writes them.
//
// A Scrubber is safe for concurrent use; its writes are serialised so that
// lines do not interleave.
type Scrubber struct {
	set *secretSet
	mu  sync.Mutex
	w   io.Writer
}

// NewScrubber returns a Scrubber writing to w and hiding secrets. Empty
// values and values shorter than [MinSecretLen] are ignored.
func NewScrubber(w io.Writer, secrets ...string) *Scrubber {
	s := &Scrubber{set: &secretSet{values: map[string]bool{}}, w: w}
	s.Add(secrets...)
	return s
}

// Add registers more secrets, such as a runner's JIT configuration, for
// this Scrubber and every one made from it by [Scrubber.Wrap].
func (s *Scrubber) Add(secrets ...string) { s.set.add(secrets...) }

// Wrap returns a Scrubber writing to w that shares this one's secrets.
func (s *Scrubber) Wrap(w io.Writer) *Scrubber { return &Scrubber{set: s.set, w: w} }

// Scrub returns text with every secret replaced.
func (s *Scrubber) Scrub(text string) string { return s.set.replacer().Replace(text) }

// Write scrubs p and writes it. It reports len(p) on success, as zerolog
// expects, even when the scrubbed text is shorter or longer.
func (s *Scrubber) Write(p []byte) (int, error) {
	return s.WriteLevel(zerolog.NoLevel, p)
}

// WriteLevel scrubs p and passes it on with its level, so a level-filtering
// writer behind the Scrubber still works.
func (s *Scrubber) WriteLevel(level zerolog.Level, p []byte) (int, error) {
	out := []byte(s.Scrub(string(p)))
	s.mu.Lock()
	defer s.mu.Unlock()

	var err error
	if lw, ok := s.w.(zerolog.LevelWriter); ok && level != zerolog.NoLevel {
		_, err = lw.WriteLevel(level, out)
	} else {
		_, err = s.w.Write(out)
	}
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// secretSet holds the values to hide and a replacer built from them.
type secretSet struct {
	mu     sync.RWMutex
	values map[string]bool
	r      *strings.Replacer
}

func (s *secretSet) add(secrets ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, secret := range secrets {
		for _, v := range variants(secret) {
			s.values[v] = true
		}
	}
	s.r = nil
}

// variants are the forms a secret can take in a log line: as is, escaped
// inside a JSON string, and (for multi-line values such as a PEM key) each
// long line on its own.
func variants(secret string) []string {
	var out []string
	keep := func(v string) {
		if len(v) >= MinSecretLen {
			out = append(out, v)
		}
	}
	keep(secret)
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // zerolog does not escape <, > and & either
	if err := enc.Encode(secret); err == nil {
		quoted := strings.TrimSuffix(b.String(), "\n")
		keep(quoted[1 : len(quoted)-1])
	}
	if strings.Contains(secret, "\n") {
		for line := range strings.SplitSeq(secret, "\n") {
			line = strings.TrimSpace(line)
			if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
				keep(line)
			}
		}
	}
	return out
}

// replacer returns the replacer for the current values, longest first so a
// secret that contains another is hidden whole.
func (s *secretSet) replacer() *strings.Replacer {
	s.mu.RLock()
	r := s.r
	s.mu.RUnlock()
	if r != nil {
		return r
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.r != nil {
		return s.r
	}
	values := make([]string, 0, len(s.values))
	for v := range s.values {
		values = append(values, v)
	}
	sort.Slice(values, func(i, j int) bool {
		if len(values[i]) != len(values[j]) {
			return len(values[i]) > len(values[j])
		}
		return values[i] < values[j]
	})
	pairs := make([]string, 0, 2*len(values))
	for _, v := range values {
		pairs = append(pairs, v, Redaction)
	}
	s.r = strings.NewReplacer(pairs...)
	return s.r
}
