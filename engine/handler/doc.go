// Package handler is the "github" plugin: it runs the GitHub Actions jobs
// of one queue on ephemeral Anka VMs.
//
// A Handler claims a job's work entry (XREADGROUP) only while the host has
// a free VM slot, then walks the job through its life, recording each step
// as an event in the queue's log (engine.Store): claimed, pulling (when the
// template must be fetched), vm-started, registered. The runner in the VM
// is a just-in-time runner named after the VM; the receiver's in-progress
// and completed events, matched by that runner name, tell the handler which
// job its runner took and when it finished. The VM and the runner
// registration are then removed, and the claimed job is settled: left alone
// when it is finished, acknowledged when some runner is running it, and put
// back on the queue otherwise.
//
// While it holds a job the handler renews the work entry's lease; every
// handler also runs a rescuer that takes over entries whose lease ran out
// (their host died) and asks GitHub where those jobs stand.
//
// Host-wide state lives in flock'd files under the work directory, shared by
// every handler of every anklet process on the host and released by the
// kernel when a process dies:
//
//	<work_dir>/locks/slot-<n>.lock  one per VM the host may run (n < max_running_vms)
//	<work_dir>/locks/pull.lock      held while a template is being pulled
//	<work_dir>/vms/<vm>.lock        held while a VM is owned; see VMOwned
//
// The handler talks to GitHub and Anka only through the [GitHub] and [Anka]
// interfaces, which *github.Client and *anka.CLI satisfy.
package handler
