package receiver

import (
	"fmt"
	"strings"
	"time"

	"github.com/anklet/anklet/engine/config"
	"github.com/anklet/anklet/engine/daemon"
	"github.com/anklet/anklet/engine/metrics"
	"github.com/anklet/anklet/github"
)

func init() { daemon.Register(config.KindReceiver, NewPlugin) }

// NewPlugin builds the receiver of config entry p, as registered with the
// daemon for kind "github_receiver". It registers the entry's secrets (the
// webhook secret, the token and an inline private key) with env.Secrets so
// they never reach the logs, takes its metrics from env.Metrics when set,
// and builds its own Redis client from p.Database (it connects at first
// use). It fails when the entry lacks a name, owner or secret.
func NewPlugin(env daemon.Env, p config.Plugin) (daemon.Plugin, error) {
	hide := []string{p.Secret, p.Token}
	if strings.Contains(p.PrivateKey, "-----BEGIN") {
		hide = append(hide, p.PrivateKey)
	}
	for _, s := range hide {
		if s != "" && env.Secrets != nil {
			env.Secrets.Add(s)
		}
	}
	var mp *metrics.Plugin
	if env.Metrics != nil {
		mp = env.Metrics.Plugin(p.Name, p.Kind, p.Owner, p.Repo)
	}
	host := env.HostID
	if host == "" && env.Config != nil {
		host = env.Config.HostID
	}

	r, err := New(Options{
		Name: p.Name, Owner: p.Owner, Repo: p.Repo, Queue: p.Queue(), Host: host,
		ListenAddress: p.ListenAddress, Port: p.Port, Secret: p.Secret,
		Redis: p.Database.Client(), OwnRedis: true,
		GitHub: github.Options{
			Token: p.Token, AppID: p.AppID, PrivateKey: p.PrivateKey,
			InstallationID: p.InstallationID, Owner: p.Owner, Repo: p.Repo, BaseURL: p.BaseURL,
		},
		HookID:            p.HookID,
		SkipRedeliver:     p.SkipRedeliver,
		RedeliverWindow:   time.Duration(p.RedeliverHours) * time.Hour,
		RedeliverInterval: time.Duration(p.RedeliverIntervalSeconds) * time.Second,
		Metrics:           mp,
		Log:               env.Log,
	})
	if err != nil {
		return nil, fmt.Errorf("github_receiver %s: %w", p.Name, err)
	}
	return r, nil
}
