package daemon

import (
	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"
)

func TestScrubberHidesSecrets(t *testing.T) {
	pem := "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bodyline1\n" +
		"QWERTYUIOPASDFGHJKLZXCVB\n-----END RSA PRIVATE KEY-----\n"
	var buf bytes.Buffer
	s := NewScrubber(&buf, "ghp_tokenvalue", pem, "", "short", `we"ird<&>`)
	log := zerolog.New(s)

	log.Info().Str("cmd", "register --token ghp_tokenvalue").Msg("running")
	log.Info().Str("key", pem).Msg("a whole key in a JSON string")
	log.Info().Msg("one line of the key: QWERTYUIOPASDFGHJKLZXCVB")
	log.Info().Str("odd", `we"ird<&>`).Msg("escaped by zerolog")
	log.Info().Msg("short stays short")

	s.Add("jit-config-base64==")
	log.Info().Msg("starting runner with jit-config-base64==")

	out := buf.String()
	for _, secret := range []string{"ghp_tokenvalue", "MIIEowIBAAKCAQEA7bodyline1",
		"QWERTYUIOPASDFGHJKLZXCVB", `we\"ird<&>`, "jit-config-base64=="} {
		if strings.Contains(out, secret) {
			t.Errorf("output holds %q:\n%s", secret, out)
		}
	}
	if got := strings.Count(out, Redaction); got != 5 {
		t.Errorf("%d redactions, want 5:\n%s", got, out)
	}
	if !strings.Contains(out, "short stays short") {
		t.Errorf("a value below MinSecretLen was scrubbed:\n%s", out)
	}
}

// Write reports the length it was given, so zerolog sees no short write.
func TestScrubberWriteLength(t *testing.T) {
	var buf bytes.Buffer
	s := NewScrubber(&buf, "abcdefgh")
	n, err := s.Write([]byte("x abcdefgh y\n"))
	if err != nil || n != 13 {
		t.Fatalf("Write = %d, %v; want 13, nil", n, err)
	}
	if buf.String() != "x [redacted] y\n" {
		t.Fatalf("wrote %q", buf.String())
	}
}

// Wrapped scrubbers share secrets added later; concurrent use is safe.
func TestScrubberWrapAndConcurrency(t *testing.T) {
	var a, b bytes.Buffer
	sa := NewScrubber(&a)
	sb := sa.Wrap(&b)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 50 {
				sa.Add("secret-" + strings.Repeat("x", i))
				_, _ = sb.Write([]byte("line\n"))
			}
		})
	}
	wg.Wait()
	_, _ = sb.Write([]byte("secret-xxxx\n"))
	if strings.Contains(b.String(), "secret-") {
		t.Fatalf("wrapped scrubber missed a shared secret: %q", b.String()[len(b.String())-40:])
	}
	if sa.Scrub("secret-x and secret-xx") != Redaction+" and "+Redaction {
		t.Fatalf("Scrub = %q", sa.Scrub("secret-x and secret-xx"))
	}
}
