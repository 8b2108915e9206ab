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
	// The names the README's Redis layout documents.
	for got, want := range map[string]string{
		k.Jobs(): "anklet:{acme}:jobs", k.Events(): "anklet:{acme}:events",
		k.Job(42): "anklet:{acme}:job:42", k.Delivery("g-1"): "anklet:{acme}:delivery:g-1",
		k.Dead(): "anklet:{acme}:dead", k.Lock("redeliver"): "anklet:{acme}:lock:redeliver",
		Group: "handlers",
	} {
		if got != want {
			t.Errorf("key %q, want %q", got, want)
		}
	}
}

func TestKeysForRejectsBadNames(t *testing.T) {
	for _, name := range []string{"", "a{b", "a}b", "a b"} {
		if _, err := KeysFor(name); err == nil {
			t.Errorf("KeysFor(%q) succeeded, want an error", name)
		}
	}
}
