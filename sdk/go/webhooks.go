package imagegen

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WebhookTolerance is how far a delivery's webhook-timestamp may be from now.
const WebhookTolerance = 5 * time.Minute

// WebhookEvent is a webhook delivery's body (seed 004's event payload).
type WebhookEvent struct {
	// Event is "generation.completed", "generation.failed" or "process.completed".
	Event     string         `json:"event"`
	Timestamp string         `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

// VerifyWebhook checks a delivery the Standard Webhooks way and returns its event: the
// HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}" must match one "v1,<base64>" entry
// of webhook-signature, and the timestamp must be within WebhookTolerance. The key of a
// "whsec_" secret is the base64 after the prefix; any other secret is its UTF-8 bytes. Pass the
// body exactly as received. Every failure wraps ErrWebhookVerification.
func VerifyWebhook(payload []byte, headers http.Header, secret string) (*WebhookEvent, error) {
	return verifyWebhookAt(payload, headers, secret, time.Now())
}

func verifyWebhookAt(payload []byte, headers http.Header, secret string, now time.Time) (*WebhookEvent, error) {
	fail := func(reason string) (*WebhookEvent, error) {
		return nil, fmt.Errorf("%w: %s", ErrWebhookVerification, reason)
	}
	id, timestamp, signatures := headers.Get("webhook-id"), headers.Get("webhook-timestamp"), strings.Join(headers.Values("webhook-signature"), " ")
	if id == "" || timestamp == "" || signatures == "" {
		return fail("missing webhook-id, webhook-timestamp or webhook-signature header")
	}
	seconds, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || seconds < 0 {
		return fail("webhook-timestamp is not Unix seconds")
	}
	if d := now.Sub(time.Unix(seconds, 0)); d > WebhookTolerance || d < -WebhookTolerance {
		return fail("webhook-timestamp is more than 5 minutes away")
	}
	key := []byte(secret)
	if strings.HasPrefix(secret, "whsec_") {
		if key, err = base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_")); err != nil {
			return fail("a whsec_ secret must continue with base64")
		}
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(payload)
	expected := mac.Sum(nil)
	for _, entry := range strings.Fields(signatures) {
		version, signature, _ := strings.Cut(entry, ",")
		given, err := base64.StdEncoding.DecodeString(signature)
		if version == "v1" && err == nil && hmac.Equal(given, expected) {
			var event WebhookEvent
			if err := json.Unmarshal(payload, &event); err != nil {
				return fail("the body is not JSON")
			}
			return &event, nil
		}
	}
	return fail("no webhook-signature matches this body and secret")
}
