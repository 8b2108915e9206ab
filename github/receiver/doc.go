// Package receiver is Anklet's webhook receiver, the plugin of kind
// "github_receiver". It turns GitHub's workflow_job webhooks into job events
// in a queue's Redis streams (see package engine) and asks GitHub to send
// again the deliveries it missed.
//
// HTTP: POST /jobs/v1/receiver takes webhooks; GET /healthcheck answers 200
// "ok" while Redis answers PING within a second, 503 otherwise. Nothing else
// is served on the receiver's listener.
//
// A webhook is checked in this order, and the first failure decides the
// answer:
//
//	413 invalid      body over 25 MiB (Content-Length first, then while reading)
//	415 invalid      Content-Type neither application/json nor
//	                 application/x-www-form-urlencoded (or missing)
//	401 refused      X-Hub-Signature-256 (or legacy X-Hub-Signature) missing or
//	                 not the HMAC of the body with the secret
//	400 invalid      empty payload (or a form body without one), X-GitHub-Event
//	                 missing, X-GitHub-Delivery missing or not 1-64 letters,
//	                 digits and dashes
//	200 ignored      ping, and events other than workflow_job
//	400 invalid      a workflow_job that is malformed JSON or lacks the job id
//	                 or the repository
//	403 refused      a workflow_job of a repository outside the configured
//	                 owner (and repo, when set), compared without regard to case
//	200 ignored      a job without an anka-template: label, the waiting action,
//	                 in_progress with conclusion cancelled, a label that is
//	                 empty or holds a comma
//	200 stored       the change is in Redis (the script returned)
//	200 duplicate    this delivery, or this job at this state, was stored before
//	200 stale        the job is already past what the webhook reports
//	503 unavailable  Redis failed, or did not answer within 3 s; the change is
//	                 not stored (after a timeout it may still land), and its
//	                 redelivery is stored once either way
//
// The body of every answer is the result word, with a short reason after a
// colon where one helps. Each answer is counted with metrics.Plugin.Webhook.
//
// Every store is atomic and once per delivery: the job change and the
// delivery marker anklet:{Q}:delivery:<guid> (7 days) are written by one Lua
// script (engine.Store.ForDelivery), and the job state machine drops a
// repeated or out-of-date action of the same job. queued adds a work entry
// only for a job not seen before, so a job GitHub reports running or done
// first is never queued afterwards.
//
// Redelivery: GitHub never sends a failed delivery again by itself. When the
// receiver has credentials and knows its hook, it looks back over the hook's
// deliveries at start and every interval, and asks GitHub to redeliver those
// of its jobs that never got a 2xx answer and whose job has not reached that
// state since (see redeliver.go).
package receiver
