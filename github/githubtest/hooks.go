package githubtest

import (
	"encoding/json"
	"net/http"
	"time"
)

// hookConfig is the server's one webhook.
type hookConfig struct {
	kind   HookKind
	id     int64
	url    string
	secret string
	ctype  ContentType
}

// delivery is one delivery record.
type delivery struct {
	id             int64
	guid           string
	deliveredAt    time.Time
	redelivery     bool
	duration       float64
	status         string
	statusCode     int
	event          string
	action         string
	installationID int64
	repositoryID   int64
	ownerID        int64
	url            string
	reqHeaders     map[string]string
	payload        []byte
	respHeaders    map[string]string
	respBody       string
}

// SetWebhook points the webhook at url, signing with secret (none if empty)
// and encoding as ct. Events before the first SetWebhook are not delivered,
// as with no hook configured.
func (s *Server) SetWebhook(url, secret string, ct ContentType) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook.url, s.hook.secret, s.hook.ctype = url, secret, ct
}

// Ping sends a ping event, as GitHub does when a hook is created.
func (s *Server) Ping() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hook.url == "" {
		return
	}

	hookType := map[HookKind]string{HookRepo: "Repository", HookOrg: "Organization", HookApp: "App"}
	hook := map[string]any{
		"type": hookType[s.hook.kind], "id": s.hook.id, "name": "web", "active": true,
		"events": []string{"workflow_job"},
		"config": map[string]any{"content_type": or(string(s.hook.ctype), "json"),
			"insecure_ssl": "0", "url": s.hook.url, "secret": "********"},
	}
	if s.hook.kind == HookApp {
		hook["app_id"] = s.cfg.appID
	}
	body := map[string]any{
		"zen": "Design for failure.", "hook_id": s.hook.id, "hook": hook,
		"sender": senderJSON(s.APIURL(), s.URL()),
	}
	m := outgoing{event: "ping", guid: s.guid()}
	if len(s.repoOrder) > 0 {
		r := s.repoOrder[0]
		m.repoID, m.ownerID = r.id, r.owner.id
		switch s.hook.kind {
		case HookOrg:
			body["organization"] = renderOrg(r.owner.login, r.owner.id, s.APIURL())
		case HookRepo:
			body["repository"] = renderRepo(r.owner.login, r.name, r.owner.id, r.id, r.owner.org,
				s.APIURL(), s.URL())
		}
	}
	m.payload, _ = json.Marshal(body)
	s.out.push(m)
}

// sendJobLocked queues the workflow_job webhook for j's current state.
func (s *Server) sendJobLocked(action string, j *job) {
	if s.hook.url == "" {
		return
	}
	r := j.run.repo
	ev := WorkflowJobEvent{
		Action: action, Job: s.jobSnapLocked(j), Org: r.owner.org,
		OwnerID: r.owner.id, RepoID: r.id, APIURL: s.APIURL(), WebURL: s.URL(),
	}
	if s.hook.kind == HookApp {
		ev.InstallationID = r.owner.installationID
	}
	s.out.push(outgoing{
		event: "workflow_job", action: action, guid: s.guid(), payload: ev.Payload(),
		repoID: r.id, ownerID: r.owner.id, installationID: ev.InstallationID,
	})
}

// redeliverLocked queues delivery d again with its GUID, as a redelivery.
func (s *Server) redeliverLocked(d *delivery) {
	s.out.push(outgoing{
		event: d.event, action: d.action, guid: d.guid, payload: d.payload, redelivery: true,
		repoID: d.repositoryID, ownerID: d.ownerID, installationID: d.installationID,
	})
}

// senderFor builds the Sender for hook, with the target headers its kind
// calls for.
func (s *Server) senderFor(hook hookConfig, m outgoing) *Sender {
	snd := &Sender{
		URL: hook.url, Secret: hook.secret, ContentType: hook.ctype, HookID: hook.id,
		Enterprise: s.cfg.enterprise,
		Client:     &http.Client{Timeout: s.cfg.webhookTimeout},
	}
	switch hook.kind {
	case HookApp:
		snd.TargetType, snd.TargetID = "integration", s.cfg.appID
	case HookRepo:
		snd.TargetType, snd.TargetID = "repository", m.repoID
	default:
		snd.TargetType, snd.TargetID = "organization", m.ownerID
	}
	return snd
}
