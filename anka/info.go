package anka

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Version is what `anka -j version` reports.
type Version struct {
	Product string // e.g. "Anka Build Enterpriseplus"
	Version string // e.g. "3.9.0"
	Build   string
}

// AtLeast reports whether the version is at least want ("3.9.0"). Anything
// after the first space, such as "(build 215)", is ignored; a version that
// does not parse is never at least anything.
func (v Version) AtLeast(want string) bool {
	have, ok1 := versionParts(v.Version)
	need, ok2 := versionParts(want)
	if !ok1 || !ok2 {
		return false
	}
	for i := range need {
		if have[i] != need[i] {
			return have[i] > need[i]
		}
	}
	return true
}

func versionParts(s string) ([3]int, bool) {
	var out [3]int
	s, _, _ = strings.Cut(strings.TrimSpace(s), " ")
	parts := strings.Split(s, ".")
	if len(parts) == 0 || len(parts) > 3 {
		return out, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return out, false
		}
		out[i] = n
	}
	return out, true
}

// Version runs `anka -j version`. A body without a version string is an
// ErrBadOutput error.
func (c *CLI) Version(ctx context.Context) (Version, error) {
	cl := call{op: "version", args: []string{"version"}}
	env, err := c.do(ctx, cl)
	if err != nil {
		return Version{}, err
	}
	var b struct {
		Product string `json:"product"`
		Version string `json:"version"`
		Build   text   `json:"build"` // a string or a number, by version
	}
	if err := decodeBody(cl, env, &b); err != nil {
		return Version{}, err
	}
	if b.Version == "" {
		return Version{}, badOutput(cl, "body has no version")
	}
	return Version{Product: b.Product, Version: b.Version, Build: string(b.Build)}, nil
}

// License is what `anka -j license show` reports.
type License struct {
	Product  string
	Type     string // e.g. "com.veertu.anka.entplus"
	Status   string // "valid" when usable
	Expires  string
	MaxCores int
}

// License types that cannot run Anklet: Anka Run and Anka Develop.
const (
	LicenseRun     = "com.veertu.anka.run"
	LicenseDevelop = "com.veertu.anka.develop"
)

// License runs `anka -j license show` and checks that the license is valid
// and is not a Run or Develop license. It returns the license with an error
// wrapping ErrLicense when it is not usable.
func (c *CLI) License(ctx context.Context) (License, error) {
	cl := call{op: "license", args: []string{"license", "show"}}
	env, err := c.do(ctx, cl)
	if err != nil {
		return License{}, err
	}
	var b struct {
		Product  string `json:"product"`
		Type     string `json:"license_type"`
		Status   string `json:"status"`
		Expires  string `json:"expires"`
		MaxCores int    `json:"max_number_of_cores"`
	}
	if err := decodeBody(cl, env, &b); err != nil {
		return License{}, err
	}
	l := License{
		Product: b.Product, Type: b.Type, Status: b.Status, Expires: b.Expires,
		MaxCores: b.MaxCores,
	}
	switch {
	case l.Status != "valid":
		return l, fmt.Errorf("%w: status is %q, want \"valid\"", ErrLicense, l.Status)
	case l.Type == LicenseRun || l.Type == LicenseDevelop:
		return l, fmt.Errorf("%w: license type %s cannot run Anka Build VMs", ErrLicense, l.Type)
	}
	return l, nil
}
