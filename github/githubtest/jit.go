package githubtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// JITRunner is the ".runner" file inside an encoded JIT config, as the
// actions runner reads it. ServerURL is the fake server's URL(), which is
// where a fake runner reports with ConnectPath.
type JITRunner struct {
	AgentID    int64  `json:"AgentId"`
	AgentName  string `json:"AgentName"`
	PoolID     int64  `json:"PoolId"`
	PoolName   string `json:"PoolName"`
	ServerURL  string `json:"ServerUrl"`
	GitHubURL  string `json:"GitHubUrl"`
	WorkFolder string `json:"WorkFolder"`
	Ephemeral  bool   `json:"Ephemeral"`
}

// encodeJIT mints rn's encoded_jit_config: base64 of a JSON object mapping
// runner file names to their base64 contents, as GitHub's does.
func (s *Server) encodeJIT(rn *runner) string {
	runnerFile := JITRunner{
		AgentID: rn.id, AgentName: rn.name, PoolID: rn.group.id, PoolName: rn.group.name,
		ServerURL: s.URL(), GitHubURL: s.URL(), WorkFolder: "_work", Ephemeral: true,
	}
	creds := map[string]any{
		"Scheme": "OAuth",
		"Data": map[string]string{
			"clientId":                s.guid(),
			"authorizationUrl":        s.URL() + "/_githubtest/oauth2/token",
			"requireFipsCryptography": "False",
		},
	}
	files := map[string]string{
		".runner":      b64JSON(runnerFile),
		".credentials": b64JSON(creds),
		".credentials_rsaparams": b64JSON(map[string]string{
			"exponent": "AQAB", "modulus": s.randomString(43),
		}),
	}
	return b64JSON(files)
}

func b64JSON(v any) string {
	b, _ := json.Marshal(v)
	return base64.StdEncoding.EncodeToString(b)
}

// DecodeJITConfig reads the ".runner" file out of an encoded JIT config
// minted by a Server, as the actions runner does at start.
func DecodeJITConfig(encoded string) (JITRunner, error) {
	var files map[string]string
	if err := decodeB64JSON(encoded, &files); err != nil {
		return JITRunner{}, fmt.Errorf("decode jit config: %w", err)
	}
	var r JITRunner
	if err := decodeB64JSON(files[".runner"], &r); err != nil {
		return JITRunner{}, fmt.Errorf("decode jit config .runner: %w", err)
	}
	return r, nil
}

func decodeB64JSON(s string, v any) error {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
