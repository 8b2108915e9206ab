package githubtest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

type identityKind int

const (
	anonymous identityKind = iota
	patIdentity
	installationIdentity
	appIdentity
)

// identity is who a request authenticated as.
type identity struct {
	kind    identityKind
	bucket  string   // rate-limit bucket key
	account *account // the installation's account, for installation tokens
}

// can reports whether who may act on owner's resources: a personal access
// token may act anywhere, an installation token only on its account.
func (who *identity) can(owner *account) bool {
	return who.kind != installationIdentity || who.account == owner
}

// authenticate resolves the Authorization header ("Bearer X" or "token X")
// and checks it suits the route, answering 401 as GitHub does if not.
func (s *Server) authenticate(
	w http.ResponseWriter, r *http.Request, acc access,
) (*identity, bool) {
	scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if cred == "" || !(strings.EqualFold(scheme, "bearer") || strings.EqualFold(scheme, "token")) {
		if acc == byAny {
			return &identity{kind: anonymous, bucket: "anon"}, true
		}
		writeError(w, http.StatusUnauthorized, "Requires authentication")
		return nil, false
	}
	cred = strings.TrimSpace(cred)

	if strings.Count(cred, ".") == 2 {
		if err := s.verifyJWT(cred, time.Now()); err != nil {
			writeError(w, http.StatusUnauthorized, err.Error())
			return nil, false
		}
		if acc == byToken {
			writeError(w, http.StatusUnauthorized, "A JSON web token cannot be used to access this endpoint")
			return nil, false
		}
		return &identity{kind: appIdentity, bucket: "app"}, true
	}

	who := s.tokenIdentity(cred)
	switch {
	case who == nil:
		writeError(w, http.StatusUnauthorized, "Bad credentials")
		return nil, false
	case acc == byJWT:
		writeError(w, http.StatusUnauthorized, "A JSON web token could not be decoded")
		return nil, false
	}
	return who, true
}

// tokenIdentity looks up a personal access token or installation token.
func (s *Server) tokenIdentity(tok string) *identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pats[tok] {
		return &identity{kind: patIdentity, bucket: "pat:" + tok}
	}
	if it, ok := s.instTokens[tok]; ok && time.Now().Before(it.expires) {
		return &identity{kind: installationIdentity, bucket: "inst:" + tok, account: it.account}
	}
	return nil
}

// verifyJWT checks an App JWT as GitHub does: RS256 signed by the App's key,
// issued by the App id, not expired, issued no later than a minute from now
// and living at most ten minutes.
func (s *Server) verifyJWT(tok string, now time.Time) error {
	bad := errors.New("A JSON web token could not be decoded")
	if s.cfg.appKey == nil {
		return bad
	}
	parts := strings.Split(tok, ".")
	var header struct {
		Alg string `json:"alg"`
	}
	var claims struct {
		Iat json.Number `json:"iat"`
		Exp json.Number `json:"exp"`
		Iss any         `json:"iss"`
	}
	if decodeSegment(parts[0], &header) != nil || decodeSegment(parts[1], &claims) != nil {
		return bad
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || header.Alg != "RS256" {
		return bad
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(s.cfg.appKey, crypto.SHA256, digest[:], sig) != nil {
		return bad
	}

	if fmt.Sprint(claims.Iss) != strconv.FormatInt(s.cfg.appID, 10) {
		return fmt.Errorf("'Issuer' claim ('iss') must be an Integer")
	}
	iat, err1 := claims.Iat.Int64()
	exp, err2 := claims.Exp.Int64()
	switch {
	case err1 != nil || iat > now.Add(time.Minute).Unix():
		return fmt.Errorf("'Issued at' claim ('iat') must be an Integer representing a time in the past")
	case err2 != nil || exp <= now.Unix() || exp-iat > 600:
		return fmt.Errorf("'Expiration time' claim ('exp') must be a numeric value representing " +
			"the future time at which the assertion expires")
	}
	return nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	return dec.Decode(v)
}
