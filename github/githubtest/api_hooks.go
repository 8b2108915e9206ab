package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

type deliveryJSON struct {
	ID             int64   `json:"id"`
	GUID           string  `json:"guid"`
	DeliveredAt    *string `json:"delivered_at"`
	Redelivery     bool    `json:"redelivery"`
	Duration       float64 `json:"duration"`
	Status         string  `json:"status"`
	StatusCode     int     `json:"status_code"`
	Event          string  `json:"event"`
	Action         *string `json:"action"`
	InstallationID *int64  `json:"installation_id"`
	RepositoryID   *int64  `json:"repository_id"`
	ThrottledAt    *string `json:"throttled_at"`
}

type deliveryDetailJSON struct {
	deliveryJSON
	URL      string `json:"url"`
	Request  any    `json:"request"`
	Response any    `json:"response"`
}

func renderDelivery(d *delivery) deliveryJSON {
	return deliveryJSON{
		ID: d.id, GUID: d.guid, DeliveredAt: timestamp(d.deliveredAt), Redelivery: d.redelivery,
		Duration: d.duration, Status: d.status, StatusCode: d.statusCode, Event: d.event,
		Action: nullable(d.action), InstallationID: nullable(d.installationID),
		RepositoryID: nullable(d.repositoryID),
	}
}

// hookLocked checks the request names the server's hook: the right kind of
// route, and {hook} equal to its id. It answers 404 otherwise.
func (s *Server) hookLocked(w http.ResponseWriter, r *http.Request, who *identity) bool {
	kind := HookApp
	switch {
	case r.PathValue("repo") != "":
		kind = HookRepo
	case r.PathValue("owner") != "":
		kind = HookOrg
	}
	if kind != HookApp {
		if _, _, ok := s.scopeLocked(w, r, who); !ok {
			return false
		}
		if r.PathValue("hook") != strconv.FormatInt(s.hook.id, 10) {
			writeError(w, http.StatusNotFound, "Not Found")
			return false
		}
	}
	if kind != s.hook.kind {
		writeError(w, http.StatusNotFound, "Not Found")
		return false
	}
	return true
}

// listDeliveries answers GET …/deliveries: newest first, cursor-paginated
// with a Link rel="next" carrying cursor=, per_page at most 100.
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request, who *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.hookLocked(w, r, who) {
		return
	}
	perPage, _ := pageParams(r)
	before := int64(-1)
	if c := r.URL.Query().Get("cursor"); c != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(c, "v1_"), 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "Invalid cursor")
			return
		}
		before = n
	}

	page := []deliveryJSON{}
	more := false
	for i := len(s.deliveries) - 1; i >= 0; i-- {
		d := s.deliveries[i]
		if before >= 0 && d.id >= before {
			continue
		}
		if len(page) == perPage {
			more = true
			break
		}
		page = append(page, renderDelivery(d))
	}
	if more {
		q := r.URL.Query()
		q.Set("cursor", fmt.Sprintf("v1_%d", page[len(page)-1].ID))
		q.Set("per_page", strconv.Itoa(perPage))
		setLinks(w, []string{fmt.Sprintf("<%s>; rel=\"next\"", selfURL(r, q))})
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) deliveryLocked(
	w http.ResponseWriter, r *http.Request, who *identity,
) (*delivery, bool) {
	if !s.hookLocked(w, r, who) {
		return nil, false
	}
	id, ok := pathID(w, r, "id")
	if !ok {
		return nil, false
	}
	for _, d := range s.deliveries {
		if d.id == id {
			return d, true
		}
	}
	writeError(w, http.StatusNotFound, "Not Found")
	return nil, false
}

// getDelivery answers GET …/deliveries/{id} with the request headers and
// payload (a JSON object) and the receiver's response.
func (s *Server) getDelivery(w http.ResponseWriter, r *http.Request, who *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deliveryLocked(w, r, who)
	if !ok {
		return
	}
	var respPayload *string
	if d.statusCode != 0 {
		respPayload = &d.respBody
	}
	writeJSON(w, http.StatusOK, deliveryDetailJSON{
		deliveryJSON: renderDelivery(d),
		URL:          d.url,
		Request: map[string]any{
			"headers": d.reqHeaders, "payload": json.RawMessage(d.payload),
		},
		Response: map[string]any{"headers": d.respHeaders, "payload": respPayload},
	})
}

// redeliver answers POST …/deliveries/{id}/attempts with 202 and sends the
// delivery again under the same GUID, recorded as a redelivery.
func (s *Server) redeliver(w http.ResponseWriter, r *http.Request, who *identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.deliveryLocked(w, r, who)
	if !ok {
		return
	}
	s.redeliverLocked(d)
	writeJSON(w, http.StatusAccepted, map[string]any{})
}
