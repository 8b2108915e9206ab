// Package faults is Anklet's fault suite: it runs the built anklet and
// anklet-receiver programs as real processes against a real redis-server, a
// fake GitHub (githubtest) and one fake Anka CLI per simulated Mac host
// (ankatest), all on 127.0.0.1, breaks one thing at a time, and checks that
// the promises of the job engine still hold:
//
//   - a host killed with SIGKILL while it pulls a template, while its VM is
//     starting its runner, or while its runner runs the job loses nothing:
//     another host finishes the job exactly once, the event log names the
//     lost host, and the restarted host's reconciler deletes the VM it left
//     behind;
//   - a webhook answered 2xx survives a Redis restart (AOF always or
//     everysec, clean stop or SIGKILL) before any handler claimed it, and a
//     webhook whose write was lost anyway comes back through the lost-webhook
//     reconciler;
//   - ten seconds without Redis while jobs run loses and duplicates nothing,
//     and every process keeps running and claims again afterwards;
//   - a GitHub API that fails one call in ten and rate-limits (primary and
//     secondary limits) slows jobs down but completes every one;
//   - a flood of webhooks, one in five delivered twice and all of them
//     reordered, across four hosts, completes every job exactly once and
//     leaves no VM, no runner, and no host above two running VMs.
//
// Each scenario is a test that asserts these promises and prints its
// measured figures as one line on stdout:
//
//	faults: scenario=<name> key=value ...
//
// The programs are built once per test binary, with the race detector when
// the tests have it (go test -race) or ANKLET_FAULTS_RACE=1; a data race a
// process reports fails the scenario. ANKLET_FAULTS_SCALE (default 1)
// multiplies the flood's 1,000 jobs: 0.2 for a quick run, more for a soak.
// One GitHub token's hourly budget (5,000 calls) bounds a run to about
// 2,000 jobs, as it would in production.
package faults
