package config

import "strings"

// Problems lists everything wrong with a configuration, one line each.
// [Load], [FromReceiverEnv] and [Config.Validate] return it as their error;
// use errors.As to get the lines.
type Problems []string

// Error joins the lines with newlines.
func (p Problems) Error() string { return strings.Join(p, "\n") }
