package config

import "github.com/knadh/koanf/v2"

// ReceiverEnvPrefix starts the variables [FromReceiverEnv] reads for its one
// receiver: ANKLET_RECEIVER_PORT, ANKLET_RECEIVER_SECRET and so on, one per
// plugin key.
const ReceiverEnvPrefix = "ANKLET_RECEIVER_"

// DefaultReceiverName names the receiver built by [FromReceiverEnv] unless
// ANKLET_RECEIVER_NAME says otherwise.
const DefaultReceiverName = "receiver"

// FromReceiverEnv builds the configuration of a receiver-only process (the
// container image) from the environment alone: one github_receiver plugin
// from the ANKLET_RECEIVER_<KEY> variables (PORT, SECRET, OWNER, REPO,
// HOOK_ID, TOKEN, APP_ID, INSTALLATION_ID, PRIVATE_KEY, BASE_URL,
// SKIP_REDELIVER, LISTEN_ADDRESS, QUEUE_NAME, REDELIVER_HOURS, ...), plus
// the top-level variables [Load] reads (ANKLET_GLOBAL_DATABASE_*,
// ANKLET_HOST_ID, ...). The listen address defaults to 127.0.0.1 here too;
// a container must set ANKLET_RECEIVER_LISTEN_ADDRESS=0.0.0.0. As for any
// plugin, <NAME>_<KEY> variables (RECEIVER_PORT for the default name) are
// applied afterwards and win.
//
// Errors are [Problems], as for Load.
func FromReceiverEnv(environ []string) (*Config, error) {
	env := newEnvironment(environ)
	entry := map[string]any{"name": DefaultReceiverName, "plugin": KindReceiver}
	if name, ok := env.lookup(ReceiverEnvPrefix + "NAME"); ok {
		entry["name"] = name
	}
	for _, key := range pluginSchema.sortedKeys() {
		if key == "name" || key == "plugin" {
			continue
		}
		name := pluginEnvName(ReceiverEnvPrefix, key)
		if v, ok := env.get(name, pluginSchema[key]); ok {
			setPath(entry, key, v)
		}
	}
	return assemble(koanf.New("."), env, []map[string]any{entry})

}
