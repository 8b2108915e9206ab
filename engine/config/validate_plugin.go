package config

import (
	"fmt"
	"strings"
)

// validatePlugin checks one plugin entry; where names it in each line.
func validatePlugin(where string, p Plugin) []string {
	var out []string
	add := func(format string, args ...any) {
		out = append(out, where+": "+fmt.Sprintf(format, args...))
	}
	sub := func(lines []string) {
		for _, l := range lines {
			out = append(out, where+": "+l)
		}
	}

	switch p.Kind {
	case KindHandler, KindReceiver:
	case "":
		add("plugin is required (%s or %s)", KindHandler, KindReceiver)
	default:
		add("plugin kind %q is not supported (use %s or %s)", p.Kind, KindHandler, KindReceiver)
	}

	switch {
	case p.Owner == "" && p.Repo != "":
		add("repo %q is set without owner", p.Repo)
	case p.Owner == "":
		add("owner is required")
	}
	if q := p.Queue(); strings.ContainsAny(q, "{} \t\r\n") {
		key := "queue_name"
		if p.QueueName == "" {
			key = "owner (the default queue name)"
		}
		add("%s %q must not contain braces or white space", key, q)
	}

	if p.IsHandler() || (p.IsReceiver() && !p.SkipRedeliver) {
		sub(checkCredentials(p))
	}
	if p.PrivateKey != "" {
		sub(checkPrivateKey("private_key", p.PrivateKey))
	}
	if p.BaseURL != "" {
		sub(checkURL("base_url", p.BaseURL))
	}
	sub(checkPort("port", p.Port, p.IsReceiver()))
	sub(checkDatabase("database.", p.Database))

	if p.IsReceiver() {
		sub(validateReceiver(p))
	}
	if p.IsHandler() {
		sub(validateHandler(p))
	}
	return out
}

// checkCredentials wants a token, or an App id with its private key.
func checkCredentials(p Plugin) []string {
	switch {
	case p.InstallationID != 0 && p.AppID == 0:
		return []string{"installation_id is set without app_id"}
	case p.Token != "":
		return nil
	case p.AppID != 0 && p.PrivateKey == "":
		return []string{"app_id is set without private_key (or global_private_key)"}
	case p.AppID == 0 && p.PrivateKey != "":
		return []string{"private_key is set without app_id"}
	case p.AppID == 0:
		return []string{"credentials are required: token (or global_token), " +
			"or app_id with private_key"}
	}
	return nil
}

func validateReceiver(p Plugin) []string {
	var out []string
	if p.Secret == "" {
		out = append(out, "secret is required (or set global_receiver_secret)")
	}
	if p.ListenAddress == "" {
		out = append(out, "listen_address must not be empty")
	}
	if p.SkipRedeliver {
		return out
	}
	if p.HookID == 0 {
		out = append(out, "hook_id is required to ask GitHub for redeliveries "+
			"(or set skip_redeliver: true)")
	}
	if p.RedeliverHours < 1 {
		out = append(out, "redeliver_hours must be at least 1")
	}
	if p.RedeliverIntervalSeconds < 1 {
		out = append(out, "redeliver_interval_seconds must be at least 1")
	}
	return out
}

func validateHandler(p Plugin) []string {
	var out []string
	atLeast := func(key string, v, least int) {
		if v < least {
			out = append(out, fmt.Sprintf("%s must be at least %d", key, least))
		}
	}
	atLeast("max_running_vms", p.MaxRunningVMs, 1)
	atLeast("lease_seconds", p.LeaseSeconds, 1)
	atLeast("max_deliveries", p.MaxDeliveries, 1)
	atLeast("registration_timeout_seconds", p.RegistrationTimeoutSeconds, 1)
	atLeast("job_retry_attempts", p.JobRetryAttempts, 0)
	atLeast("sleep_interval", p.SleepInterval, 0)
	if p.TemplateDiskBuffer < 0 || p.TemplateDiskBuffer >= 100 {
		out = append(out, "template_disk_buffer must be a percentage from 0 to below 100")
	}
	if p.AnkaPath == "" {
		out = append(out, "anka_path must not be empty")
	}
	for _, m := range p.HostToGuestFolderMounts {
		if host, _, _ := strings.Cut(m, ":"); host == "" {
			out = append(out, fmt.Sprintf("host_to_guest_folder_mounts entry %q has no host path", m))
		}
	}
	return out
}
