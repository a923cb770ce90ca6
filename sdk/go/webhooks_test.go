package imagegen

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

const webhookBody = `{"event":"generation.completed","timestamp":"2024-01-01T00:00:00Z","data":{"generation_id":"gen_abc123"}}`

var whsec = "whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef01234567"))

func signed(secret string, at time.Time, body string) http.Header {
	key := []byte(secret)
	if strings.HasPrefix(secret, "whsec_") {
		key, _ = base64.StdEncoding.DecodeString(secret[6:])
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "msg_1.%d.%s", at.Unix(), body)
	h := http.Header{}
	h.Set("webhook-id", "msg_1")
	h.Set("webhook-timestamp", fmt.Sprint(at.Unix()))
	h.Set("webhook-signature", "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	return h
}

func TestVerifyWebhookSecrets(t *testing.T) {
	for _, secret := range []string{whsec, "webhook_secret_key_123", "clé-secrète-ü-0123456789"} {
		event, err := VerifyWebhook([]byte(webhookBody), signed(secret, time.Now(), webhookBody), secret)
		if err != nil || event.Event != "generation.completed" || event.Data["generation_id"] != "gen_abc123" {
			t.Fatalf("%s: %v %v", secret, event, err)
		}
	}
}

func TestVerifyWebhookRotatedList(t *testing.T) {
	h := signed(whsec, time.Now(), webhookBody)
	h.Set("webhook-signature", "v1,AAAA "+h.Get("webhook-signature"))
	if _, err := VerifyWebhook([]byte(webhookBody), h, whsec); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyWebhookRefusals(t *testing.T) {
	now := time.Now()
	missing := signed(whsec, now, webhookBody)
	missing.Del("webhook-signature")
	badTime := signed(whsec, now, webhookBody)
	badTime.Set("webhook-timestamp", "yesterday")
	v2 := signed(whsec, now, webhookBody)
	v2.Set("webhook-signature", strings.Replace(v2.Get("webhook-signature"), "v1,", "v2,", 1))
	cases := map[string]struct {
		body    string
		headers http.Header
	}{
		"wrong secret":  {webhookBody, signed("another_secret_0123456", now, webhookBody)},
		"changed body":  {strings.Replace(webhookBody, "gen_abc123", "gen_evil", 1), signed(whsec, now, webhookBody)},
		"old timestamp": {webhookBody, signed(whsec, now.Add(-6*time.Minute), webhookBody)},
		"missing":       {webhookBody, missing},
		"bad timestamp": {webhookBody, badTime},
		"other version": {webhookBody, v2},
	}
	for name, c := range cases {
		if _, err := VerifyWebhook([]byte(c.body), c.headers, whsec); !errors.Is(err, ErrWebhookVerification) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
