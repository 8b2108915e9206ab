package github

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/anklet/anklet/github/githubtest"
)

func TestEndpoints(t *testing.T) {
	cases := []struct {
		base, api, web string
	}{
		{"", "", "https://github.com"},
		{"https://ghe.example.com/api/v3/", "https://ghe.example.com/api/v3/", "https://ghe.example.com"},
		{"https://ghe.example.com", "https://ghe.example.com/api/v3/", "https://ghe.example.com"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/api/v3/", "http://127.0.0.1:8080"},
		{"https://api.acme.ghe.com", "https://api.acme.ghe.com/", "https://acme.ghe.com"},
	}
	for _, tc := range cases {
		api, web, err := endpoints(tc.base)
		if err != nil || api != tc.api || web != tc.web {
			t.Errorf("endpoints(%q) = %q, %q, %v; want %q, %q", tc.base, api, web, err, tc.api, tc.web)
		}
	}
	if _, _, err := endpoints("ghe.example.com"); err == nil {
		t.Errorf("endpoints without a scheme: no error")
	}
}

func TestBaseURLForms(t *testing.T) {
	s := githubtest.NewServer(t)
	s.AddRepo("acme", "app")
	for _, base := range []string{s.URL(), s.APIURL(), strings.TrimSuffix(s.APIURL(), "/")} {
		c := newTestClient(t, s, func(o *Options) { o.BaseURL = base })
		if c.WebURL() != s.URL() {
			t.Fatalf("WebURL() = %q for base %q, want %q", c.WebURL(), base, s.URL())
		}
		if _, err := c.RegistrationToken(testContext(t), Scope{Owner: "acme"}); err != nil {
			t.Fatalf("RegistrationToken via %q: %v", base, err)
		}
	}
	if _, err := New(context.Background(), Options{}); err == nil {
		t.Fatalf("New without credentials: no error")
	}
}

func TestSecretsStayOutOfLogsAndErrors(t *testing.T) {
	s := githubtest.NewServer(t)
	s.AddRepo("acme", "app")
	var logs bytes.Buffer
	logger := zerolog.New(&logs).Level(zerolog.DebugLevel)
	c := newTestClient(t, s, func(o *Options) { o.Logger = logger })
	ctx := testContext(t)

	s.FailNext(1)
	_, jit, err := c.JITConfig(ctx, Scope{Owner: "acme"}, "anklet-vm-1", 1, []string{"l"})
	if err != nil {
		t.Fatalf("JITConfig: %v", err)
	}
	s.PrimaryRateLimit(403, 0)
	tok, err := c.RegistrationToken(ctx, Scope{Owner: "acme"})
	if err != nil {
		t.Fatalf("RegistrationToken: %v", err)
	}
	if logs.Len() == 0 {
		t.Fatalf("nothing logged; the test would prove nothing")
	}

	bad := newTestClient(t, s, func(o *Options) { o.Token = "ghp_not_a_real_token_0123456789" })
	_, _, badErr := bad.JITConfig(ctx, Scope{Owner: "acme"}, "x", 1, []string{"l"})
	if badErr == nil {
		t.Fatalf("JITConfig with a bad token: no error")
	}

	for name, secret := range map[string]string{"token": s.Token(), "jit config": jit,
		"registration token": tok, "bad token": "ghp_not_a_real_token"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("logs contain the %s", name)
		}
		if strings.Contains(badErr.Error(), secret) {
			t.Errorf("error contains the %s", name)
		}
	}
}
