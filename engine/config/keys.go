package config

import (
	"fmt"
	"sort"
)

// retiredKeys are keys the original Anklet accepted but never acted on, or
// scopes this Anklet does not offer. They are refused with advice rather than
// ignored, so nobody believes a setting is in force when it is not.
var retiredKeys = map[string]string{
	"log_file_dir":             "use log.file_dir (env ANKLET_LOG_FILE_DIR)",
	"metrics.metrics_urls":     "the aggregator reads every host's metrics from Redis",
	"metrics.database.enabled": "the aggregator always reads metrics from Redis",
}

var retiredPluginKeys = map[string]string{
	"enterprise": "Anklet works at organisation or repository scope; " +
		"set owner (and repo) for each organisation",
	"workflows": "choose which jobs a host runs with the runs-on labels",
}

// checkKeys reports every key of the file that no field reads. where
// prefixes each message; s is the section's schema and retired its refused
// keys.
func checkKeys(where string, m map[string]any, s schema, retired map[string]string,
	path string) []string {
	var problems []string
	for _, k := range sortedMapKeys(m) {
		full := path + k
		switch {
		case s[full] != nil:
		case s.isSection(full):
			sub, ok := m[k].(map[string]any)
			if !ok {
				if m[k] != nil {
					problems = append(problems, fmt.Sprintf("%s%s: must be a block of keys", where, full))
				}
				continue
			}
			problems = append(problems, checkKeys(where, sub, s, retired, full+".")...)
		case retired[full] != "":
			problems = append(problems,
				fmt.Sprintf("%s%s is not supported: %s", where, full, retired[full]))
		default:
			problems = append(problems, where+unknownKey(full, s))
		}
	}
	return problems
}

// unknownKey words the problem of a key nothing reads, suggesting the
// nearest known key when one is close enough to be a typo.
func unknownKey(key string, s schema) string {
	best, bestDist := "", 3
	for _, known := range s.sortedKeys() {
		if d := editDistance(key, known); d < bestDist {
			best, bestDist = known, d
		}
	}
	if best != "" {
		return fmt.Sprintf("unknown key %q (did you mean %q?)", key, best)
	}
	return fmt.Sprintf("unknown key %q", key)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func sortedMapKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
