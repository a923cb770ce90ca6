package imagegen

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mathrand "math/rand"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

type transport struct {
	apiKey        string
	baseURL       string
	http          *http.Client
	maxRetries    int
	maxRetryDelay time.Duration
}

// exchange is one call to make.
type exchange struct {
	method string
	path   string
	query  url.Values
	body   any
	accept string
	// create: send an Idempotency-Key, the same on every retry.
	create bool
	// retryNetwork: a connection that failed before any answer may be tried again.
	retryNetwork bool
}

// RequestOption changes one call.
type RequestOption func(*requestOptions)

type requestOptions struct {
	idempotencyKey string
	respondAsync   bool
	headers        http.Header
}

// WithIdempotencyKey sends your own Idempotency-Key on a create call (default: a new random one per call).
func WithIdempotencyKey(key string) RequestOption {
	return func(o *requestOptions) { o.idempotencyKey = key }
}

// WithRespondAsync makes a generate call answer at once with the generation still pending
// (Prefer: respond-async) instead of waiting for it; follow it with Generations.Wait or Watch.
func WithRespondAsync() RequestOption { return func(o *requestOptions) { o.respondAsync = true } }

// WithHeader adds a header to one call (e.g. X-Request-ID).
func WithHeader(name, value string) RequestOption {
	return func(o *requestOptions) {
		if o.headers == nil {
			o.headers = http.Header{}
		}
		o.headers.Add(name, value)
	}
}

func collect(opts []RequestOption) requestOptions {
	var o requestOptions
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// newIdempotencyKey is "sdk_" and 32 hex digits (128 random bits).
func newIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "sdk_" + hex.EncodeToString(b[:])
}

// send makes the call and returns the successful response (any 2xx), body unread. 429 and 503
// are retried after Retry-After (or 0.5 s, 1 s, ... with jitter), at most maxRetries times; a
// Retry-After longer than maxRetryDelay is returned at once.
func (t *transport) send(ctx context.Context, x exchange, o requestOptions) (*http.Response, error) {
	var body []byte
	if x.body != nil {
		var err error
		if body, err = json.Marshal(x.body); err != nil {
			return nil, fmt.Errorf("imagegen: encoding the request: %w", err)
		}
	}
	target := strings.TrimRight(t.baseURL, "/") + x.path
	if len(x.query) > 0 {
		target += "?" + x.query.Encode()
	}
	key := o.idempotencyKey
	if x.create && key == "" {
		key = newIdempotencyKey()
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, x.method, target, bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("imagegen: %w", err)
		}
		accept := x.accept
		if accept == "" {
			accept = "application/json"
		}
		req.Header.Set("Accept", accept)
		req.Header.Set("Authorization", "Bearer "+t.apiKey)
		req.Header.Set("X-Client-Version", Version)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if x.create {
			req.Header.Set("Idempotency-Key", key)
		}
		if o.respondAsync {
			req.Header.Set("Prefer", "respond-async")
		}
		for name, values := range o.headers {
			req.Header[http.CanonicalHeaderKey(name)] = values
		}
		resp, err := t.http.Do(req)
		var delay time.Duration
		if err != nil {
			if ctx.Err() != nil {
				return nil, contextError(ctx)
			}
			if !x.retryNetwork || attempt >= t.maxRetries {
				return nil, &Error{Code: "UNAVAILABLE", Type: "service_unavailable", Message: "could not reach " + t.baseURL + ": " + err.Error(), Details: map[string]any{}, cause: err}
			}
			delay = backoff(attempt)
		} else {
			if resp.StatusCode >= 200 && resp.StatusCode < 300 {
				return resp, nil
			}
			apiErr := errorOf(resp)
			if (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) || attempt >= t.maxRetries {
				return nil, apiErr
			}
			delay = apiErr.RetryAfter
			if delay == 0 && resp.Header.Get("Retry-After") == "" {
				delay = backoff(attempt)
			}
			if delay > t.maxRetryDelay {
				return nil, apiErr
			}
		}
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, contextError(ctx)
		case <-timer.C:
		}
	}
}

func contextError(ctx context.Context) *Error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &Error{Code: "TIMEOUT", Type: "timeout_error", Message: "the context's deadline passed", Details: map[string]any{}, cause: ctx.Err()}
	}
	return &Error{Code: "CANCELED", Type: "canceled", Message: "the context was canceled", Details: map[string]any{}, cause: ctx.Err()}
}

func backoff(attempt int) time.Duration {
	base := float64(500*time.Millisecond) * float64(int(1)<<attempt)
	return time.Duration(base * (0.75 + mathrand.Float64()/2))
}

// errorOf reads a failed response into an *Error (its envelope, or its status when it has none).
func errorOf(resp *http.Response) *Error {
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	retryAfter := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	var envelope struct {
		Error *struct {
			Type             string         `json:"type"`
			Code             string         `json:"code"`
			Message          string         `json:"message"`
			Details          map[string]any `json:"details"`
			RequestID        string         `json:"request_id"`
			DocumentationURL string         `json:"documentation_url"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &envelope) == nil && envelope.Error != nil && envelope.Error.Code != "" {
		e := envelope.Error
		if e.Details == nil {
			e.Details = map[string]any{}
		}
		requestID := e.RequestID
		if requestID == "" {
			requestID = resp.Header.Get("X-Request-ID")
		}
		return &Error{Status: resp.StatusCode, Code: e.Code, Type: e.Type, Message: e.Message, RequestID: requestID, Details: e.Details, DocumentationURL: e.DocumentationURL, RetryAfter: retryAfter}
	}
	// Not our envelope (a proxy's page, an empty body): the code the table gives the status.
	code := "INVALID_REQUEST"
	if resp.StatusCode >= 500 {
		code = "INTERNAL"
	}
	for _, c := range tableOrder() {
		if errorTable[c].Status == resp.StatusCode {
			code = c
			break
		}
	}
	text := strings.TrimSpace(string(raw))
	if len(text) > 200 {
		text = text[:200]
	}
	e := errorFromCode(code, strings.TrimSpace(fmt.Sprintf("HTTP %d %s", resp.StatusCode, text)))
	e.Status, e.RequestID, e.RetryAfter = resp.StatusCode, resp.Header.Get("X-Request-ID"), retryAfter
	return e
}

// tableOrder lists the error codes in a fixed order, so a bare status maps to one code.
func tableOrder() []string {
	return []string{"UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "INVALID_REQUEST", "RATE_LIMITED", "QUOTA_EXCEEDED", "PAYLOAD_TOO_LARGE", "IDEMPOTENCY_MISMATCH", "CONFLICT", "CANCELED", "INTERNAL", "NOT_IMPLEMENTED", "UPSTREAM_UNAVAILABLE", "UNAVAILABLE", "TIMEOUT"}
}

// parseRetryAfter reads delta-seconds or an HTTP date (RFC 9110 §10.2.3); 0 when absent or unreadable.
func parseRetryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	if seconds, err := strconv.Atoi(value); err == nil && seconds >= 0 {
		return time.Duration(seconds) * time.Second
	}
	if when, err := http.ParseTime(value); err == nil {
		if d := when.Sub(now); d > 0 {
			return d.Round(time.Second)
		}
	}
	return 0
}

// call sends the exchange and decodes a JSON answer into out (nil: discard, e.g. 204).
func (t *transport) call(ctx context.Context, x exchange, o requestOptions, out any) error {
	resp, err := t.send(ctx, x, o)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return &Error{Status: resp.StatusCode, Code: "UPSTREAM_BAD_RESPONSE", Type: "server_error", Message: "the answer is not the JSON expected: " + err.Error(), RequestID: resp.Header.Get("X-Request-ID"), Details: map[string]any{}, cause: err}
	}
	return nil
}

// escape makes an id one path segment.
func escape(id string) string { return url.PathEscape(id) }
