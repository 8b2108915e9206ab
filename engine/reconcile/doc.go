// Package reconcile repairs what the event-driven path can miss. Three
// reconcilers each run a pass at start and then at an interval, and each
// exposes Pass for one pass on demand:
//
//   - [OrphanVMs] (one per host) deletes `anklet-vm-*` Anka VMs that no live
//     handler owns: a VM found unowned is marked, and deleted on the next
//     pass if it is still unowned. Handlers record ownership (a file lock)
//     before they clone, so a VM being created is never taken for an orphan.
//   - [OrphanRunners] (one per queue and scope) removes `anklet-vm-*` GitHub
//     runners that stay offline and idle for a grace period, so runners of
//     VMs that died do not pile up in the organization or repository.
//   - [LostWebhooks] (one per queue and scope, safe in many processes) asks
//     GitHub for the `anka-template:` jobs it holds queued and enqueues those
//     the event log does not know, and appends the terminal event of jobs
//     that GitHub finished while the log still shows them open.
//
// Marks live in memory, per process: a restart forgets them, which only
// delays a removal by one pass. The per-queue reconcilers can take turns
// through Redis ([Turn]) so that a fleet of processes makes the GitHub calls
// of one pass per interval, not one per process.
package reconcile

// VMPrefix starts the name of every VM (and so of every runner) Anklet
// creates. The reconcilers never touch a VM or runner without it.
const VMPrefix = "anklet-vm-"
