package anka

import "context"

// opPull names the registry pull in errors; only its code 3 means "not in
// the registry".
const opPull = "registry pull"

func registryArgs(remote string, rest ...string) []string {
	args := []string{"registry"}
	if remote != "" {
		args = append(args, "--remote", remote)
	}
	return append(args, rest...)
}

// RegistryTemplate is one template of `anka -j registry list`.
type RegistryTemplate struct {
	UUID   string
	Name   string
	Latest string // latest tag
}

// RegistryList runs `anka -j registry [--remote URL] list`. An empty remote
// uses the CLI's default registry. Success also shows the registry is up.
func (c *CLI) RegistryList(ctx context.Context, remote string) ([]RegistryTemplate, error) {
	cl := call{op: "registry list", args: registryArgs(remote, "list")}
	env, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	if emptyBody(env.Body) {
		return nil, nil
	}
	var rows []struct {
		UUID   string `json:"uuid"`
		ID     string `json:"id"` // Anka 2.x spelling
		Name   string `json:"name"`
		Latest string `json:"latest"`
	}
	if err := decodeBody(cl, env, &rows); err != nil {
		return nil, err
	}
	out := make([]RegistryTemplate, 0, len(rows))
	for _, r := range rows {
		id := r.UUID
		if id == "" {
			id = r.ID
		}
		out = append(out, RegistryTemplate{
			UUID: id, Name: r.Name, Latest: r.Latest,
		})
	}
	return out, nil
}

// Repo is one configured registry of `anka -j registry list-repos`.
type Repo struct {
	Name    string
	URL     string
	Default bool
}

// RegistryListRepos runs `anka -j registry list-repos`.
func (c *CLI) RegistryListRepos(ctx context.Context) ([]Repo, error) {
	cl := call{op: "registry list-repos", args: []string{"registry", "list-repos"}}
	env, err := c.do(ctx, cl)
	if err != nil {
		return nil, err
	}
	if emptyBody(env.Body) {
		return nil, nil
	}
	var rows []struct {
		Name    string `json:"name"`
		URL     string `json:"url"`
		Default bool   `json:"default"`
	}
	if err := decodeBody(cl, env, &rows); err != nil {
		return nil, err
	}
	out := make([]Repo, 0, len(rows))
	for _, r := range rows {
		out = append(out, Repo{Name: r.Name, URL: r.URL, Default: r.Default})
	}
	return out, nil
}

// RegistryTemplateInfo is what `anka -j registry show` reports.
type RegistryTemplateInfo struct {
	UUID      string
	Name      string
	Tag       string
	CPUCores  int
	RAMSize   uint64 // bytes
	ImageSize uint64 // bytes
}

// RegistryShow runs `anka -j registry [--remote URL] show <template>
// [--tag tag]`. A template or tag missing from the registry fails with
// ErrNotFound.
func (c *CLI) RegistryShow(
	ctx context.Context, remote, template, tag string,
) (RegistryTemplateInfo, error) {
	args := registryArgs(remote, "show", template)
	if tag != "" {
		args = append(args, "--tag", tag)
	}
	cl := call{op: "registry show", vm: template, args: args}
	env, err := c.do(ctx, cl)
	if err != nil {
		return RegistryTemplateInfo{}, err
	}
	var b struct {
		UUID      string `json:"uuid"`
		Name      string `json:"name"`
		Tag       string `json:"tag"`
		CPU       int    `json:"cpu_cores"`
		RAMSize   size   `json:"ram_size"`
		ImageSize size   `json:"image_size"`
	}
	if err := decodeBody(cl, env, &b); err != nil {
		return RegistryTemplateInfo{}, err
	}
	if b.Name == "" && b.UUID == "" {
		return RegistryTemplateInfo{}, badOutput(cl, "registry show body without name or uuid")
	}
	return RegistryTemplateInfo{
		UUID: b.UUID, Name: b.Name, Tag: b.Tag, CPUCores: b.CPU,
		RAMSize: uint64(b.RAMSize), ImageSize: uint64(b.ImageSize),
	}, nil
}

// DownloadSize is the answer of a download size check, in bytes. Local is
// true when the template (and tag) is already on the host; the sizes are
// then zero.
type DownloadSize struct {
	Size      uint64
	Cached    uint64
	Available uint64
	Local     bool
}

// Fits reports whether the download fits in the free disk while leaving
// buffer bytes free.
func (d DownloadSize) Fits(buffer uint64) bool {
	if d.Local {
		return true
	}
	need := uint64(0)
	if d.Size > d.Cached {
		need = d.Size - d.Cached
	}
	return d.Available >= buffer && need <= d.Available-buffer
}

// CheckDownloadSize runs `anka -j pull <template> --check-download-size
// [--tag tag] [registry]`. An empty body means the template is available
// locally. A template or tag missing from the registry fails with
// ErrNotFound.
func (c *CLI) CheckDownloadSize(
	ctx context.Context, template, tag, registry string,
) (DownloadSize, error) {
	args := []string{"pull", template, "--check-download-size"}
	if tag != "" {
		args = append(args, "--tag", tag)
	}
	if registry != "" {
		args = append(args, registry)
	}
	cl := call{op: "pull", vm: template, args: args}
	env, err := c.do(ctx, cl)
	if err != nil {
		return DownloadSize{}, err
	}
	if emptyBody(env.Body) {
		return DownloadSize{Local: true}, nil
	}
	var b struct {
		Size      *size `json:"size"`
		Cached    size  `json:"cached"`
		Available size  `json:"available"`
	}
	if err := decodeBody(cl, env, &b); err != nil {
		return DownloadSize{}, err
	}
	if b.Size == nil {
		return DownloadSize{}, badOutput(cl, "download size body without size")
	}
	return DownloadSize{
		Size: uint64(*b.Size), Cached: uint64(b.Cached), Available: uint64(b.Available),
	}, nil
}

// Pull runs `anka -j registry [--remote URL] pull [--shrink] <template>
// [--tag tag]` under PullTimeout, logging progress lines at debug. Code 3
// (the template or tag is not in the registry) matches ErrNotFound; every
// other failure (network, registry, disk, timeout) does not, and is worth
// retrying. With shrink the CLI deletes the template's other local tags.
func (c *CLI) Pull(ctx context.Context, remote, template, tag string, shrink bool) error {
	args := registryArgs(remote, "pull")
	if shrink {
		args = append(args, "--shrink")
	}
	args = append(args, template)
	if tag != "" {
		args = append(args, "--tag", tag)
	}
	_, err := c.do(ctx, call{
		op: opPull, vm: template, args: args, timeout: c.opts.PullTimeout, progress: true,
	})
	return err
}
