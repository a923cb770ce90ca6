package imagegen

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultWaitTimeout bounds Generations.Wait when the context has no deadline.
const DefaultWaitTimeout = 10 * time.Minute

// GenerationsService reads, lists, cancels, waits for and watches generations.
type GenerationsService struct{ t *transport }

// IsTerminal reports whether a generation is completed, failed or canceled.
func IsTerminal(g *Generation) bool {
	return g != nil && (g.Status == GenerationStatusCompleted || g.Status == GenerationStatusFailed || g.Status == GenerationStatusCanceled)
}

// Get is GetContext with context.Background().
func (s *GenerationsService) Get(id string) (*Generation, error) {
	return s.GetContext(context.Background(), id)
}

// GetContext is GET /api/v2/generations/{id}: the generation as it stands.
func (s *GenerationsService) GetContext(ctx context.Context, id string) (*Generation, error) {
	var g Generation
	err := s.t.call(ctx, exchange{method: "GET", path: "/api/v2/generations/" + escape(id), retryNetwork: true}, requestOptions{}, &g)
	return &g, err
}

// ListGenerationsParams is the query of Generations.List.
type ListGenerationsParams struct {
	PageSize  int
	PageToken string
	Status    GenerationStatus
}

// List is ListContext with context.Background().
func (s *GenerationsService) List(params *ListGenerationsParams) (*ListGenerationsResponse, error) {
	return s.ListContext(context.Background(), params)
}

// ListContext is GET /api/v2/generations: one page of yours, newest first.
func (s *GenerationsService) ListContext(ctx context.Context, params *ListGenerationsParams) (*ListGenerationsResponse, error) {
	query := url.Values{}
	if params != nil {
		if params.PageSize > 0 {
			query.Set("page_size", strconv.Itoa(params.PageSize))
		}
		if params.PageToken != "" {
			query.Set("page_token", params.PageToken)
		}
		if params.Status != "" {
			query.Set("status", string(params.Status))
		}
	}
	var out ListGenerationsResponse
	err := s.t.call(ctx, exchange{method: "GET", path: "/api/v2/generations", query: query, retryNetwork: true}, requestOptions{}, &out)
	return &out, err
}

// Cancel is CancelContext with context.Background().
func (s *GenerationsService) Cancel(id string) (*Generation, error) {
	return s.CancelContext(context.Background(), id)
}

// CancelContext is POST /api/v2/generations/{id}:cancel (CONFLICT once it finished).
func (s *GenerationsService) CancelContext(ctx context.Context, id string) (*Generation, error) {
	var g Generation
	err := s.t.call(ctx, exchange{method: "POST", path: "/api/v2/generations/" + escape(id) + ":cancel", body: struct{}{}}, requestOptions{}, &g)
	return &g, err
}

// errStreamCut marks a watch stream that ended without its last event.
var errStreamCut = errors.New("imagegen: the event stream broke off")

// Watch streams GET /api/v2/generations/{id}:watch (Server-Sent Events), calling onEvent for
// each event (queued, started, progress, image, then completed, failed or canceled) until the
// last one. An error from onEvent stops it and is returned; an "error" event is an *Error.
func (s *GenerationsService) Watch(ctx context.Context, id string, onEvent func(*GenerationEvent) error) error {
	resp, err := s.t.send(ctx, exchange{method: "GET", path: "/api/v2/generations/" + escape(id) + ":watch", accept: "text/event-stream", retryNetwork: true}, requestOptions{})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	requestID := resp.Header.Get("X-Request-ID")
	reader := bufio.NewReader(resp.Body)
	var event string
	var data []string
	for {
		line, readErr := reader.ReadString('\n')
		if readErr != nil && line == "" {
			if ctx.Err() != nil {
				return contextError(ctx)
			}
			if len(data) > 0 || !errors.Is(readErr, io.EOF) {
				return &Error{Code: "UNAVAILABLE", Type: "service_unavailable", Message: "the event stream of " + id + " broke off", RequestID: requestID, Details: map[string]any{}, cause: errStreamCut}
			}
			return nil
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if len(data) > 0 {
				if err := dispatch(event, strings.Join(data, "\n"), requestID, onEvent); err != nil {
					return err
				}
			}
			event, data = "", nil
		case strings.HasPrefix(line, ":"):
		default:
			name, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			if name == "event" {
				event = value
			} else if name == "data" {
				data = append(data, value)
			}
		}
	}
}

func dispatch(event, data, requestID string, onEvent func(*GenerationEvent) error) error {
	if event == "error" {
		var payload struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal([]byte(data), &payload)
		e := errorFromCode(payload.Error.Code, payload.Error.Message)
		e.RequestID = requestID
		return e
	}
	var ev GenerationEvent
	if err := json.Unmarshal([]byte(data), &ev); err != nil {
		return &Error{Code: "UPSTREAM_BAD_RESPONSE", Type: "server_error", Message: "an event is not JSON: " + err.Error(), RequestID: requestID, Details: map[string]any{}, cause: err}
	}
	return onEvent(&ev)
}

// Wait is WaitContext with context.Background() (bounded by DefaultWaitTimeout).
func (s *GenerationsService) Wait(id string) (*Generation, error) {
	return s.WaitContext(context.Background(), id)
}

var errDone = errors.New("done")

// WaitContext returns the generation once it is completed, failed or canceled (check Status).
// It watches the event stream (one request, no polling) and resumes a stream a proxy cut.
// Without a deadline on ctx it gives up after DefaultWaitTimeout with Code "TIMEOUT".
func (s *GenerationsService) WaitContext(ctx context.Context, id string) (*Generation, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultWaitTimeout)
		defer cancel()
	}
	pause := time.Second
	for {
		var last *Generation
		err := s.Watch(ctx, id, func(ev *GenerationEvent) error {
			if IsTerminal(ev.Generation) {
				last = ev.Generation
				return errDone
			}
			return nil
		})
		if last != nil {
			return last, nil
		}
		if err != nil && !errors.Is(err, errStreamCut) {
			return nil, err
		}
		now, err := s.GetContext(ctx, id)
		if err != nil {
			return nil, err
		}
		if IsTerminal(now) {
			return now, nil
		}
		select {
		case <-ctx.Done():
			return nil, contextError(ctx)
		case <-time.After(pause):
		}
		if pause < 10*time.Second {
			pause *= 2
		}
	}
}

// finished turns a failed or canceled generation into its *Error.
func finished(g *Generation) (*Generation, error) {
	switch g.Status {
	case GenerationStatusFailed:
		code, message := "GENERATION_FAILED", ""
		if g.Error != nil {
			if g.Error.Reason != "" {
				code = strings.ToUpper(string(g.Error.Reason))
			}
			message = g.Error.Message
		}
		return g, errorFromCode(code, fmt.Sprintf("generation %s failed: %s", g.ID, message))
	case GenerationStatusCanceled:
		return g, errorFromCode("CANCELED", "generation "+g.ID+" was canceled")
	}
	return g, nil
}
