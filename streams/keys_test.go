package streams

import (
	"strings"
	"testing"
)

func TestKeysCarryHashTag(t *testing.T) {
	k := MustKeysFor("acme")
	for _, key := range []string{k.Jobs(), k.Events(), k.Job(42), k.Delivery("g-1"), k.Dead(),
		k.Lock("redeliver")} {
		if !strings.HasPrefix(key, "anklet:{acme}:") {
			t.Errorf("key %q lacks the {acme} hash tag", key)
		}
	}
	if got, want := k.Job(42), "anklet:{acme}:job:42"; got != want {
		t.Errorf("Job(42) = %q, want %q", got, want)
	}
}

func TestKeysForRejectsBadNames(t *testing.T) {
	for _, name := range []string{"", "a{b", "a}b", "a b"} {
		if _, err := KeysFor(name); err == nil {
			t.Errorf("KeysFor(%q) succeeded, want an error", name)
		}
	}
}
