package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

var runnerFlags = flags("jitconfig=:--jitconfig", "once:--once", "startuptype=:--startuptype")

// runnerMain plays the GitHub Actions runner's `run.sh`. With --jitconfig it
// decodes the config like the real listener (base64 JSON of file name →
// base64 content), writes the files into the working directory, and tells
// the fake GitHub at the config's ServerUrl that this runner is online. A
// config that does not decode exits 1, as the real listener does.
func runnerMain(args []string) int {
	o, _, err := parse(args, runnerFlags, false)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if !o.has("jitconfig") {
		if _, err := os.Stat(".runner"); err != nil {
			fmt.Fprintln(os.Stderr, "Not configured. Run config.sh to configure the runner.")
			return 1
		}
		fmt.Println("Listening for Jobs")
		fmt.Println("Exiting runner...")
		return 0
	}

	runner, err := decodeJIT(o.get("jitconfig"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "runner: invalid jit config: %v\n", err)
		return 1
	}
	if err := connect(runner); err != nil {
		fmt.Fprintf(os.Stderr, "runner: %v\n", err)
		return 1
	}
	fmt.Println("Connected to GitHub")
	fmt.Println("Listening for Jobs")
	fmt.Println("Exiting runner...")
	return 0
}

type runnerFile struct {
	AgentID   json.Number `json:"AgentId"`
	AgentName string      `json:"AgentName"`
	ServerURL string      `json:"ServerUrl"`
}

func decodeJIT(encoded string) (runnerFile, error) {
	var r runnerFile
	outer, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return r, fmt.Errorf("decode config: %w", err)
	}
	files := map[string]string{}
	if err := json.Unmarshal(outer, &files); err != nil {
		return r, fmt.Errorf("decode config files: %w", err)
	}
	for name, content := range files {
		b, err := base64.StdEncoding.DecodeString(content)
		if err != nil {
			return r, fmt.Errorf("decode %s: %w", name, err)
		}
		if name == ".runner" {
			if err := json.Unmarshal(b, &r); err != nil {
				return r, fmt.Errorf("decode .runner: %w", err)
			}
		}
		if strings.HasPrefix(name, ".") && !strings.ContainsAny(name, "/\\") {
			if err := os.WriteFile(name, b, 0o600); err != nil {
				return r, fmt.Errorf("write %s: %w", name, err)
			}
		}
	}
	if r.AgentID == "" || r.ServerURL == "" {
		return r, fmt.Errorf(".runner lacks AgentId or ServerUrl")
	}
	return r, nil
}

func connect(r runnerFile) error {
	body, err := json.Marshal(map[string]any{"runner_id": r.AgentID})
	if err != nil {
		return err
	}
	url := strings.TrimRight(r.ServerURL, "/") + "/_githubtest/runners/connect"
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("connect: %s", resp.Status)
	}
	return nil
}

var configFlags = flags(
	"url=:--url", "token=:--token", "name=:--name", "labels=:--labels",
	"runnergroup=:--runnergroup", "work=:--work", "no-default-labels:--no-default-labels",
	"ephemeral:--ephemeral", "disableupdate:--disableupdate", "unattended:--unattended",
	"replace:--replace",
)

// configMain plays `config.sh`: it checks the options the way the real
// runner does and writes .runner (without the token), so that a later run.sh
// finds the runner configured.
func configMain(args []string) int {
	o, pos, err := parse(args, configFlags, false)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if len(pos) > 0 {
		fmt.Fprintf(os.Stderr, "config.sh: unexpected argument %q\n", pos[0])
		return 1
	}
	for _, need := range []string{"url", "token", "name"} {
		if o.get(need) == "" {
			fmt.Fprintf(os.Stderr, "config.sh: --%s is required\n", need)
			return 1
		}
	}
	if o.has("no-default-labels") && o.get("labels") == "" {
		fmt.Fprintln(os.Stderr, "config.sh: --no-default-labels needs --labels")
		return 1
	}
	conf := map[string]any{
		"AgentName": o.get("name"), "ServerUrl": o.get("url"), "Labels": o.get("labels"),
		"RunnerGroup": o.get("runnergroup"), "Ephemeral": o.has("ephemeral"),
		"DisableUpdate": o.has("disableupdate"), "NoDefaultLabels": o.has("no-default-labels"),
		"Unattended": o.has("unattended"),
	}
	b, _ := json.MarshalIndent(conf, "", "  ")
	if err := os.WriteFile(".runner", b, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("Runner successfully added")
	return 0
}
