package githubtest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	gh "github.com/google/go-github/v66/github"
)

// call makes a raw request and returns the status, headers and body.
func call(t *testing.T, method, url, auth, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestAuthAndErrorBodies(t *testing.T) {
	s := NewServer(t, WithToken("ghp_extra"))
	s.AddRepo("acme", "app")
	url := s.URL() + "/repos/acme/app/actions/runners"

	cases := []struct {
		auth string
		want int
	}{
		{"Bearer " + s.Token(), 200},
		{"token " + s.Token(), 200},
		{"token ghp_extra", 200},
		{"Bearer ghp_wrong", 401},
		{"", 401},
		{"Basic " + s.Token(), 401},
	}
	for _, tc := range cases {
		code, _, body := call(t, "GET", url, tc.auth, "")
		if code != tc.want {
			t.Errorf("auth %q: %d, want %d", tc.auth, code, tc.want)
		}
		if code == 401 {
			var e apiError
			if err := json.Unmarshal([]byte(body), &e); err != nil || e.Message == "" ||
				e.Status != "401" || e.DocumentationURL == "" {
				t.Errorf("401 body %s", body)
			}
		}
	}
	missing := s.URL() + "/repos/acme/missing/actions/runners"
	code, _, _ := call(t, "GET", missing, "Bearer "+s.Token(), "")
	if code != 404 {
		t.Errorf("unknown repo: %d, want 404", code)
	}
}

func TestRateHeadersOnEveryAnswer(t *testing.T) {
	s := NewServer(t)
	s.AddRepo("acme", "app")
	var last int
	for i, path := range []string{"/repos/acme/app/actions/runners", "/api/v3/orgs/acme/repos",
		"/repos/acme/app/actions/jobs/1", "/nowhere"} {
		_, h, _ := call(t, "GET", s.URL()+path, "Bearer "+s.Token(), "")
		remaining, err := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
		reset, err2 := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
		if err != nil || err2 != nil || h.Get("X-RateLimit-Limit") != "5000" ||
			h.Get("X-RateLimit-Resource") != "core" || reset <= time.Now().Unix() {
			t.Fatalf("%s: rate headers %v", path, h)
		}
		if i > 0 && remaining != last-1 {
			t.Fatalf("%s: remaining %d after %d", path, remaining, last)
		}
		last = remaining
	}

	rl, _, err := client(t, s).RateLimit.Get(testContext(t))
	if err != nil || rl.GetCore().Limit != 5000 || rl.GetCore().Remaining != last {
		t.Fatalf("rate_limit %+v: %v (want remaining %d, not spent by the call)", rl.GetCore(), err, last)
	}
}

func TestRunnerListPagination(t *testing.T) {
	s := NewServer(t)
	s.AddRepo("acme", "app")
	for i := range 65 {
		jit(t, s, fmt.Sprintf("r%02d", i), "l")
	}
	c := client(t, s)
	ctx := testContext(t)

	page, resp, err := c.Actions.ListOrganizationRunners(ctx, "acme", nil)
	if err != nil || len(page.Runners) != 30 || page.TotalCount != 65 ||
		resp.NextPage != 2 || resp.LastPage != 3 {
		t.Fatalf("default page: %d runners, total %d, next %d, last %d: %v",
			len(page.Runners), page.TotalCount, resp.NextPage, resp.LastPage, err)
	}
	opts := &gh.ListRunnersOptions{ListOptions: gh.ListOptions{Page: 3, PerPage: 30}}
	page, resp, err = c.Actions.ListOrganizationRunners(ctx, "acme", opts)
	if err != nil || len(page.Runners) != 5 || resp.NextPage != 0 || resp.PrevPage != 2 {
		t.Fatalf("last page: %d runners, next %d, prev %d: %v",
			len(page.Runners), resp.NextPage, resp.PrevPage, err)
	}
	opts = &gh.ListRunnersOptions{Name: gh.String("r07"), ListOptions: gh.ListOptions{PerPage: 500}}
	page, _, err = c.Actions.ListOrganizationRunners(ctx, "acme", opts)
	if err != nil || page.TotalCount != 1 || page.Runners[0].GetName() != "r07" {
		t.Fatalf("name filter: %+v: %v", page, err)
	}
}

func TestJITConfigErrors(t *testing.T) {
	s := NewServer(t)
	s.AddRepo("acme", "app")
	url := s.URL() + "/api/v3/orgs/acme/actions/runners/generate-jitconfig"
	auth := "Bearer " + s.Token()

	cases := []struct {
		body string
		want int
		msg  string
	}{
		{`{"name":"a","labels":["x"]}`, 422, "runner_group_id"},
		{`{"name":"a","runner_group_id":1}`, 422, "labels"},
		{`{"name":"a","runner_group_id":1,"labels":[]}`, 422, "labels"},
		{`{"name":"a","runner_group_id":7,"labels":["x"]}`, 404, "Not Found"},
		{`{"name":"a","runner_group_id":1,"labels":["x"]}`, 201, "encoded_jit_config"},
		{`{"name":"a","runner_group_id":1,"labels":["x"]}`, 409, "already exists"},
	}
	for _, tc := range cases {
		code, _, body := call(t, "POST", url, auth, tc.body)
		if code != tc.want || !strings.Contains(body, tc.msg) {
			t.Errorf("%s: %d %s, want %d with %q", tc.body, code, body, tc.want, tc.msg)
		}
	}
}

func TestAppEndpointsNeedJWT(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(t, WithApp(99, &key.PublicKey))
	s.AddRepo("acme", "app")
	ctx := testContext(t)

	atr := ghinstallation.NewAppsTransportFromPrivateKey(http.DefaultTransport, 99, key)
	app, err := gh.NewClient(&http.Client{Transport: atr}).WithEnterpriseURLs(s.URL(), s.URL())
	if err != nil {
		t.Fatal(err)
	}
	inst, _, err := app.Apps.FindOrganizationInstallation(ctx, "acme")
	if err != nil || inst.GetAccount().GetLogin() != "acme" {
		t.Fatalf("FindOrganizationInstallation: %+v, %v", inst, err)
	}
	tok, resp, err := app.Apps.CreateInstallationToken(ctx, inst.GetID(), nil)
	if err != nil || resp.StatusCode != 201 || !strings.HasPrefix(tok.GetToken(), "ghs_") {
		t.Fatalf("CreateInstallationToken: %v", err)
	}

	// The JWT only opens App endpoints; the installation token the rest.
	if _, _, err := app.Actions.ListOrganizationRunners(ctx, "acme", nil); status(err) != 401 {
		t.Fatalf("JWT on a runner route: %v, want 401", err)
	}
	ic, _ := gh.NewClient(nil).WithAuthToken(tok.GetToken()).WithEnterpriseURLs(s.URL(), s.URL())
	if _, _, err := ic.Actions.ListOrganizationRunners(ctx, "acme", nil); err != nil {
		t.Fatalf("installation token on a runner route: %v", err)
	}
	if _, _, err := ic.Apps.ListInstallations(ctx, nil); status(err) != 401 {
		t.Fatalf("installation token on an App route: %v, want 401", err)
	}
	if _, _, err := ic.Users.Get(ctx, ""); status(err) != 403 {
		t.Fatalf("installation token on /user: %v, want 403", err)
	}
	if _, _, err := client(t, s).Users.Get(ctx, ""); err != nil {
		t.Fatalf("token on /user: %v", err)
	}

	other, _ := rsa.GenerateKey(rand.Reader, 1024)
	forged := ghinstallation.NewAppsTransportFromPrivateKey(http.DefaultTransport, 99, other)
	fc, _ := gh.NewClient(&http.Client{Transport: forged}).WithEnterpriseURLs(s.URL(), s.URL())
	if _, _, err := fc.Apps.ListInstallations(ctx, nil); status(err) != 401 {
		t.Fatalf("JWT signed by another key: %v, want 401", err)
	}
}

func status(err error) int {
	var er *gh.ErrorResponse
	if errors.As(err, &er) {
		return er.Response.StatusCode
	}
	return 0
}

func TestFaultKnobs(t *testing.T) {
	outcomes := func(seed int64) string {
		s := NewServer(t, WithSeed(seed))
		s.AddRepo("acme", "app")
		s.SetFailureRate(0.5)
		var b strings.Builder
		for range 40 {
			code, _, _ := call(t, "GET", s.URL()+"/orgs/acme/repos", "Bearer "+s.Token(), "")
			b.WriteString(strconv.Itoa(code / 100))
		}
		return b.String()
	}
	a, b := outcomes(7), outcomes(7)
	if a != b || !strings.Contains(a, "5") || !strings.Contains(a, "2") {
		t.Fatalf("failure pattern %s then %s: want the same mix of 2xx and 5xx", a, b)
	}

	s := NewServer(t)
	s.AddRepo("acme", "app")
	s.FailNext(2)
	codes := []int{}
	for range 3 {
		code, _, _ := call(t, "GET", s.URL()+"/orgs/acme/repos", "Bearer "+s.Token(), "")
		codes = append(codes, code)
	}
	if fmt.Sprint(codes) != "[500 500 200]" {
		t.Fatalf("FailNext(2) gave %v", codes)
	}

	s.SetLatency(100 * time.Millisecond)
	start := time.Now()
	call(t, "GET", s.URL()+"/orgs/acme/repos", "Bearer "+s.Token(), "")
	if time.Since(start) < 100*time.Millisecond {
		t.Fatalf("answer after %v, want the injected 100 ms", time.Since(start))
	}
	s.SetLatency(0)

	reset := s.PrimaryRateLimit(429, time.Second)
	code, h, body := call(t, "GET", s.URL()+"/orgs/acme/repos", "Bearer "+s.Token(), "")
	if code != 429 || h.Get("X-RateLimit-Remaining") != "0" ||
		h.Get("X-RateLimit-Reset") != strconv.FormatInt(reset.Unix(), 10) ||
		!strings.Contains(body, "primary-rate-limits") {
		t.Fatalf("primary limit: %d %v %s", code, h, body)
	}
	s.PrimaryRateLimit(403, -time.Hour)

	s.SecondaryRateLimit(429, 3*time.Second, true)
	code, h, body = call(t, "GET", s.URL()+"/orgs/acme/repos", "Bearer "+s.Token(), "")
	if code != 429 || h.Get("Retry-After") != "3" || h.Get("X-RateLimit-Remaining") == "0" ||
		!strings.Contains(body, "secondary-rate-limits") {
		t.Fatalf("secondary limit: %d %v %s", code, h, body)
	}
}
