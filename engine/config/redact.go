package config

import (
	"reflect"
	"strings"

	"github.com/rs/zerolog"
)

// Redaction replaces a secret in [Config.Redacted] and in log output.
const Redaction = "[redacted]"

// Redacted returns a deep copy of c with every secret (tokens, webhook
// secrets, database passwords, private keys) replaced by [Redaction]. Empty
// values stay empty, so the copy still shows which secrets are unset.
func (c *Config) Redacted() *Config {
	r := *c
	r.GlobalHostToGuestFolderMounts = append([]string(nil), c.GlobalHostToGuestFolderMounts...)
	r.Warnings = append([]string(nil), c.Warnings...)
	r.loadProblems = nil
	redact(&r.GlobalToken, &r.GlobalPrivateKey, &r.GlobalReceiverSecret,
		&r.GlobalDatabase.Password, &r.Metrics.Database.Password)

	r.Plugins = make([]Plugin, len(c.Plugins))
	for i, p := range c.Plugins {
		r.Plugins[i] = p.Redacted()
	}
	return &r
}

// Redacted returns a copy of p with its secrets replaced by [Redaction].
func (p Plugin) Redacted() Plugin {
	p.HostToGuestFolderMounts = append([]string(nil), p.HostToGuestFolderMounts...)
	redact(&p.Token, &p.Secret, &p.PrivateKey, &p.Database.Password)
	return p
}

func redact(fields ...*string) {
	for _, f := range fields {
		if *f != "" {
			*f = Redaction
		}
	}
}

// Secrets lists every secret value in c (tokens, webhook secrets, database
// passwords, inline private keys), without duplicates or empty values, for a
// log scrubber to hide. Private key paths are not secrets and not listed.
func (c *Config) Secrets() []string {
	seen := map[string]bool{}
	var out []string
	add := func(vs ...string) {
		for _, v := range vs {
			if v != "" && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	inline := func(key string) string {
		if isPEM(key) {
			return key
		}
		return ""
	}
	add(c.GlobalToken, inline(c.GlobalPrivateKey), c.GlobalReceiverSecret,
		c.GlobalDatabase.Password, c.Metrics.Database.Password)
	for _, p := range c.Plugins {
		add(p.Token, p.Secret, inline(p.PrivateKey), p.Database.Password)
	}
	return out
}

// MarshalZerologObject logs the redacted configuration under its YAML key
// names, so `log.Info().Object("config", cfg)` never prints a secret.
func (c *Config) MarshalZerologObject(e *zerolog.Event) {
	writeFields(e, reflect.ValueOf(c.Redacted()).Elem())
}

// MarshalZerologObject logs the redacted plugin entry.
func (p Plugin) MarshalZerologObject(e *zerolog.Event) {
	writeFields(e, reflect.ValueOf(p.Redacted()))
}

// writeFields adds each yaml-tagged field of struct v to e.
func writeFields(e *zerolog.Event, v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		f := v.Field(i)
		switch x := f.Interface().(type) {
		case []Plugin:
			arr := zerolog.Arr()
			for _, p := range x {
				arr.Object(p)
			}
			e.Array(name, arr)
		case []string:
			e.Strs(name, x)
		default:
			if f.Kind() == reflect.Struct {
				e.Dict(name, structDict(f))
				continue
			}
			e.Interface(name, x)
		}
	}
}

func structDict(v reflect.Value) *zerolog.Event {
	d := zerolog.Dict()
	writeFields(d, v)
	return d
}
