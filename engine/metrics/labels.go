package metrics

import "strings"

// label is one Prometheus label pair.
type label struct {
	name, value string
}

// pluginLabels are the labels every per-plugin series carries: name (the
// plugin's configured name) and plugin (its kind) always, owner and repo
// when set.
func pluginLabels(name, kind, owner, repo string) []label {
	ls := []label{{"name", name}, {"plugin", kind}}
	if owner != "" {
		ls = append(ls, label{"owner", owner})
	}
	if repo != "" {
		ls = append(ls, label{"repo", repo})
	}
	return ls
}

// with returns ls followed by extra, leaving ls untouched.
func with(ls []label, extra ...label) []label {
	out := make([]label, 0, len(ls)+len(extra))
	return append(append(out, ls...), extra...)
}

// seriesName builds `family{a="x",b="y"}` with every value quoted and
// escaped, the form VictoriaMetrics' Set expects as a metric name.
func seriesName(family string, ls []label) string {
	if len(ls) == 0 {
		return family
	}
	var b strings.Builder
	b.WriteString(family)
	b.WriteByte('{')
	for i, l := range ls {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(l.name)
		b.WriteString(`="`)
		b.WriteString(escapeLabelValue(l.value))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// labelEscaper applies the three escapes of the Prometheus text format.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// escapeLabelValue makes v safe inside a quoted label value.
func escapeLabelValue(v string) string {
	return labelEscaper.Replace(validUTF8(v))
}

// validUTF8 replaces invalid UTF-8, which Prometheus rejects. Values are
// cleaned before they name a series, so two values that differ only in
// invalid bytes share one series instead of clashing.
func validUTF8(v string) string { return strings.ToValidUTF8(v, "\uFFFD") }
