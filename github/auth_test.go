package github

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anklet/anklet/github/githubtest"
)

const testAppID = 4242

var (
	keyOnce sync.Once
	appKey  *rsa.PrivateKey
	appPEM  string
)

// testKey returns one RSA key and its PEM for the whole package.
func testKey(t *testing.T) (*rsa.PrivateKey, string) {
	t.Helper()
	keyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		appKey = k
		appPEM = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY",
			Bytes: x509.MarshalPKCS1PrivateKey(k)}))
	})
	return appKey, appPEM
}

func appServer(t *testing.T, opts ...githubtest.Option) *githubtest.Server {
	key, _ := testKey(t)
	opts = append([]githubtest.Option{githubtest.WithApp(testAppID, &key.PublicKey)}, opts...)
	return githubtest.NewServer(t, opts...)
}

func TestAppAuthResolvesInstallationAndMintsToken(t *testing.T) {
	_, pemText := testKey(t)
	s := appServer(t)
	s.AddRepo("acme", "app")
	s.AddRepo("other", "app")
	ctx := testContext(t)

	c := newTestClient(t, s, func(o *Options) {
		*o = Options{AppID: testAppID, PrivateKey: pemText, Owner: "acme", BaseURL: s.URL()}
	})
	if n := s.Calls()["GET /orgs/{owner}/installation"]; n != 1 {
		t.Fatalf("installation lookups = %d, want 1", n)
	}

	for range 3 {
		if _, err := c.RegistrationToken(ctx, Scope{Owner: "acme"}); err != nil {
			t.Fatalf("RegistrationToken: %v", err)
		}
	}
	if n := s.Calls()["POST /app/installations/{id}/access_tokens"]; n != 1 {
		t.Fatalf("token exchanges = %d, want 1 (cached for an hour)", n)
	}
	// The installation token is for acme only.
	if _, err := c.RegistrationToken(ctx, Scope{Owner: "other"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("RegistrationToken for another org: %v, want ErrNotFound", err)
	}
}

func TestAppAuthFallsBackToUserInstallation(t *testing.T) {
	_, pemText := testKey(t)
	s := appServer(t)
	s.AddUserRepo("alice", "tools")
	c := newTestClient(t, s, func(o *Options) {
		*o = Options{AppID: testAppID, PrivateKey: pemText, Owner: "alice", BaseURL: s.URL()}
	})
	calls := s.Calls()
	if calls["GET /orgs/{owner}/installation"] != 1 || calls["GET /users/{owner}/installation"] != 1 {
		t.Fatalf("lookups %v, want the org one (404) then the user one", calls)
	}
	tools := Scope{Owner: "alice", Repo: "tools"}
	if _, err := c.RegistrationToken(testContext(t), tools); err != nil {
		t.Fatalf("RegistrationToken: %v", err)
	}

	_, err := New(testContext(t), Options{AppID: testAppID, PrivateKey: pemText, Owner: "nobody",
		BaseURL: s.URL()})
	if !errors.Is(err, ErrNoInstallation) {
		t.Fatalf("New for an owner without installation: %v, want ErrNoInstallation", err)
	}
}

func TestAppKeyFromHomeFileAndBadKeys(t *testing.T) {
	_, pemText := testKey(t)
	s := appServer(t)
	s.AddRepo("acme", "app")
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.WriteFile(filepath.Join(home, "app.pem"), []byte(pemText), 0o600); err != nil {
		t.Fatal(err)
	}

	c := newTestClient(t, s, func(o *Options) {
		*o = Options{AppID: testAppID, PrivateKey: "~/app.pem", InstallationID: 0, Owner: "acme",
			BaseURL: s.APIURL()}
	})
	if _, err := c.Runners(testContext(t), Scope{Owner: "acme"}, ""); err != nil {
		t.Fatalf("Runners: %v", err)
	}

	broken := strings.Replace(pemText, "MII", "XXX", 1)
	for _, key := range []string{"~/missing.pem", broken} {
		_, err := New(testContext(t), Options{AppID: testAppID, PrivateKey: key, Owner: "acme",
			BaseURL: s.URL()})
		if err == nil {
			t.Fatalf("New with key %.20q: no error", key)
		}
		if strings.Contains(err.Error(), "PRIVATE KEY") || strings.Contains(err.Error(), "XXX") {
			t.Fatalf("error reveals the key: %v", err)
		}
	}
}

func TestAppHookDeliveriesUseJWT(t *testing.T) {
	_, pemText := testKey(t)
	s := appServer(t, githubtest.WithHookKind(githubtest.HookApp))
	rc := &receiver{}
	hs := httptest.NewServer(rc)
	t.Cleanup(hs.Close)
	s.SetWebhook(hs.URL, "s3cret", githubtest.JSON)
	s.AddRepo("acme", "app")
	ctx := testContext(t)
	c := newTestClient(t, s, func(o *Options) {
		*o = Options{AppID: testAppID, PrivateKey: pemText, InstallationID: 0, Owner: "acme",
			BaseURL: s.URL()}
	})

	s.QueueJob(githubtest.JobSpec{Owner: "acme", Repo: "app", Labels: []string{"l"}})
	if err := s.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := c.Deliveries(ctx, HookRef{Kind: HookApp}, time.Time{})
	if err != nil {
		t.Fatalf("Deliveries: %v", err)
	}
	if len(got) != 1 || got[0].InstallationID == 0 {
		t.Fatalf("deliveries %+v, want one with an installation id", got)
	}
	if err := c.Redeliver(ctx, HookRef{Kind: HookApp}, got[0].ID); err != nil {
		t.Fatalf("Redeliver: %v", err)
	}
	if err := s.FlushWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rc.seen(got[0].GUID); n != 2 {
		t.Fatalf("receiver saw the GUID %d times, want 2", n)
	}
	if n := s.Calls()["POST /app/installations/{id}/access_tokens"]; n != 0 {
		t.Fatalf("app hook calls minted %d installation tokens, want 0 (JWT only)", n)
	}
}
