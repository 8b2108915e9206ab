package github

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	gh "github.com/google/go-github/v66/github"
)

// HookKind says where a webhook is configured.
type HookKind string

// The kinds of webhook whose deliveries can be listed and redelivered.
const (
	HookRepo HookKind = "repo" // a repository webhook
	HookOrg  HookKind = "org"  // an organization webhook
	HookApp  HookKind = "app"  // the GitHub App's webhook (needs App credentials)
)

// HookRef names one webhook: Owner (and Repo for HookRepo) and its ID.
// HookApp needs neither owner nor id: an App has one webhook.
type HookRef struct {
	Kind  HookKind
	Owner string
	Repo  string
	ID    int64
}

// String renders the hook for errors and logs.
func (h HookRef) String() string {
	switch h.Kind {
	case HookApp:
		return "app hook"
	case HookRepo:
		return fmt.Sprintf("hook %d of %s/%s", h.ID, h.Owner, h.Repo)
	}
	return fmt.Sprintf("hook %d of %s", h.ID, h.Owner)
}

// Delivery is one attempt GitHub made to deliver a webhook. Action is empty
// for events without one (ping). StatusCode is the receiver's answer (0 when
// there was none); Status is "OK" for a successful delivery.
type Delivery struct {
	ID             int64
	GUID           string
	DeliveredAt    time.Time
	Redelivery     bool
	Status         string
	StatusCode     int
	Event          string
	Action         string
	InstallationID int64
	RepositoryID   int64
}

// DeliveryDetail is a Delivery with the JSON payload that was sent.
type DeliveryDetail struct {
	Delivery
	Payload json.RawMessage
}

// Deliveries lists the deliveries of hook made at or after since, newest
// first, following the cursor from page to page until it passes since. A zero
// since lists everything GitHub keeps.
func (c *Client) Deliveries(
	ctx context.Context, hook HookRef, since time.Time,
) ([]Delivery, error) {
	client, err := c.hookClient(hook)
	if err != nil {
		return nil, err
	}

	opt := &gh.ListCursorOptions{PerPage: perPage}
	var out []Delivery
	for {
		var page []*gh.HookDelivery
		resp, err := c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
			switch hook.Kind {
			case HookApp:
				page, resp, err = client.Apps.ListHookDeliveries(ctx, opt)
			case HookOrg:
				page, resp, err = client.Organizations.ListHookDeliveries(ctx, hook.Owner, hook.ID, opt)
			default:
				page, resp, err = client.Repositories.ListHookDeliveries(
					ctx, hook.Owner, hook.Repo, hook.ID, opt)
			}
			return resp, err
		})
		if err != nil {
			return nil, fmt.Errorf("list deliveries of %s: %w", hook, notFound(err))
		}

		older := false
		for _, d := range page {
			if d.GetDeliveredAt().Time.Before(since) {
				older = true
				continue
			}
			out = append(out, deliveryOf(d))
		}
		if older || resp.Cursor == "" || len(page) == 0 {
			return out, nil
		}
		opt.Cursor = resp.Cursor
	}
}

// Delivery returns delivery id of hook with its payload. An unknown id gives
// ErrNotFound.
func (c *Client) Delivery(ctx context.Context, hook HookRef, id int64) (DeliveryDetail, error) {
	client, err := c.hookClient(hook)
	if err != nil {
		return DeliveryDetail{}, err
	}

	var d *gh.HookDelivery
	_, err = c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
		switch hook.Kind {
		case HookApp:
			d, resp, err = client.Apps.GetHookDelivery(ctx, id)
		case HookOrg:
			d, resp, err = client.Organizations.GetHookDelivery(ctx, hook.Owner, hook.ID, id)
		default:
			d, resp, err = client.Repositories.GetHookDelivery(ctx, hook.Owner, hook.Repo, hook.ID, id)
		}
		return resp, err
	})
	if err != nil {
		return DeliveryDetail{}, fmt.Errorf("get delivery %d of %s: %w", id, hook, notFound(err))
	}

	detail := DeliveryDetail{Delivery: deliveryOf(d)}
	if req := d.GetRequest(); req != nil && req.RawPayload != nil {
		detail.Payload = append(json.RawMessage(nil), *req.RawPayload...)
	}
	return detail, nil
}

// Redeliver asks GitHub to send delivery id of hook again; GitHub records the
// attempt as a new delivery with the same GUID. GitHub's 202 answer is
// success. An unknown id gives ErrNotFound.
func (c *Client) Redeliver(ctx context.Context, hook HookRef, id int64) error {
	client, err := c.hookClient(hook)
	if err != nil {
		return err
	}

	_, err = c.call(ctx, func(ctx context.Context) (resp *gh.Response, err error) {
		switch hook.Kind {
		case HookApp:
			_, resp, err = client.Apps.RedeliverHookDelivery(ctx, id)
		case HookOrg:
			_, resp, err = client.Organizations.RedeliverHookDelivery(ctx, hook.Owner, hook.ID, id)
		default:
			_, resp, err = client.Repositories.RedeliverHookDelivery(
				ctx, hook.Owner, hook.Repo, hook.ID, id)
		}
		return resp, err
	})
	if err != nil && !isAccepted(err) {
		return fmt.Errorf("redeliver delivery %d of %s: %w", id, hook, notFound(err))
	}
	return nil
}

// hookClient picks the client that may read hook: the App JWT client for the
// App's hook, the token client otherwise.
func (c *Client) hookClient(hook HookRef) (*gh.Client, error) {
	switch hook.Kind {
	case HookApp:
		if c.app == nil {
			return nil, fmt.Errorf("%s: %w", hook, ErrAppAuthRequired)
		}
		return c.app, nil
	case HookOrg, HookRepo:
		return c.gh, nil
	}
	return nil, fmt.Errorf("hook kind %q: want repo, org or app", hook.Kind)
}

func deliveryOf(d *gh.HookDelivery) Delivery {
	return Delivery{
		ID:             d.GetID(),
		GUID:           d.GetGUID(),
		DeliveredAt:    d.GetDeliveredAt().Time,
		Redelivery:     d.GetRedelivery(),
		Status:         d.GetStatus(),
		StatusCode:     d.GetStatusCode(),
		Event:          d.GetEvent(),
		Action:         d.GetAction(),
		InstallationID: d.GetInstallationID(),
		RepositoryID:   d.GetRepositoryID(),
	}
}
