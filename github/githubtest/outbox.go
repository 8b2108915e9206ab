package githubtest

import (
	"context"
	"sync"
	"time"
)

// outgoing is one webhook waiting to be sent.
type outgoing struct {
	event          string
	action         string // empty for ping
	guid           string
	payload        []byte
	redelivery     bool
	repoID         int64
	ownerID        int64
	installationID int64
}

// outbox is the server's webhook queue. One worker sends in order, so the
// receiver sees a job's queued, in_progress and completed in that order.
type outbox struct {
	mu      sync.Mutex
	queue   []outgoing
	pending int           // queued or being sent
	signal  chan struct{} // wakes the worker
	idle    chan struct{} // closed and replaced when pending reaches 0
}

func (o *outbox) init() {
	o.signal = make(chan struct{}, 1)
	o.idle = make(chan struct{})
	close(o.idle)
}

func (o *outbox) push(m outgoing) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.pending == 0 {
		o.idle = make(chan struct{})
	}
	o.pending++
	o.queue = append(o.queue, m)
	o.wake()
}

func (o *outbox) wake() {
	select {
	case o.signal <- struct{}{}:
	default:
	}
}

func (o *outbox) pop() (outgoing, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.queue) == 0 {
		return outgoing{}, false
	}
	m := o.queue[0]
	o.queue[0] = outgoing{}
	o.queue = o.queue[1:]
	return m, true
}

func (o *outbox) done() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.pending--
	if o.pending == 0 {
		close(o.idle)
	}
}

// FlushWebhooks waits until every webhook queued so far has been delivered
// (or dropped) and recorded, or ctx ends.
func (s *Server) FlushWebhooks(ctx context.Context) error {
	s.out.mu.Lock()
	idle := s.out.idle
	s.out.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.ctx.Done():
		return s.ctx.Err()
	}
}

// deliverLoop sends queued webhooks one at a time until Close.
func (s *Server) deliverLoop() {
	defer s.wg.Done()
	for {
		m, ok := s.out.pop()
		if !ok {
			select {
			case <-s.out.signal:
				continue
			case <-s.ctx.Done():
				return
			}
		}
		if s.ctx.Err() != nil {
			return
		}
		s.deliver(m)
		s.out.done()
	}
}

// deliver sends m to the configured hook, or records it as timed out when a
// fault drops it, and records the delivery.
func (s *Server) deliver(m outgoing) {
	s.mu.Lock()
	hook := s.hook
	s.mu.Unlock()
	if hook.url == "" {
		return
	}

	sender := s.senderFor(hook, m)
	var res Result
	if s.dropWebhook() {
		req, err := sender.Request(s.ctx, m.event, m.guid, m.payload)
		if err == nil {
			res.RequestHeaders = flatten(req.Header)
		}
		res.Status = "timed out"
		res.Duration = s.cfg.webhookTimeout
	} else {
		res, _ = sender.Send(s.ctx, m.event, m.guid, m.payload)
	}
	if s.ctx.Err() != nil {
		return
	}
	s.record(hook, m, res)
}

// record stores the delivery record of m.
func (s *Server) record(hook hookConfig, m outgoing, res Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextDelivery++
	d := &delivery{
		id:             s.nextDelivery,
		guid:           m.guid,
		deliveredAt:    time.Now(),
		redelivery:     m.redelivery,
		duration:       res.Duration.Seconds(),
		status:         res.Status,
		statusCode:     res.StatusCode,
		event:          m.event,
		action:         m.action,
		installationID: m.installationID,
		repositoryID:   m.repoID,
		ownerID:        m.ownerID,
		url:            hook.url,
		reqHeaders:     res.RequestHeaders,
		payload:        m.payload,
		respHeaders:    res.Headers,
		respBody:       res.Body,
	}
	s.deliveries = append(s.deliveries, d)
	s.logf("delivery %d %s %s %s: %s", d.id, m.guid, m.event, m.action, res.Status)
}
