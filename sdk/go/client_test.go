package imagegen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// scripted is a loopback server answering from a script and recording each request.
type scripted struct {
	mu       sync.Mutex
	answers  []func(w http.ResponseWriter, r *http.Request)
	requests []*http.Request
	bodies   []string
	server   *httptest.Server
}

func serve(t *testing.T, answers ...func(w http.ResponseWriter, r *http.Request)) (*scripted, *Client) {
	t.Helper()
	s := &scripted{answers: answers}
	s.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.requests = append(s.requests, r)
		s.bodies = append(s.bodies, string(body))
		var answer func(w http.ResponseWriter, r *http.Request)
		if len(s.answers) > 0 {
			answer, s.answers = s.answers[0], s.answers[1:]
		}
		s.mu.Unlock()
		if answer == nil {
			http.Error(w, "unexpected request", 500)
			return
		}
		answer(w, r)
	}))
	t.Cleanup(s.server.Close)
	return s, NewClient("k_test", WithBaseURL(s.server.URL+"/"))
}

func jsonAnswer(status int, body any, headers ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(body)
	}
}

func envelope(status int, code, typ string, headers ...string) func(w http.ResponseWriter, r *http.Request) {
	return jsonAnswer(status, map[string]any{"error": map[string]any{"type": typ, "code": code, "message": code + " happened", "details": map[string]any{"field": "parameters.width"}, "request_id": "req_abc", "documentation_url": "/docs/errors#" + code}}, headers...)
}

func sse(events ...[2]any) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, e := range events {
			data, _ := json.Marshal(e[1])
			fmt.Fprintf(w, "event: %s\r\ndata: %s\r\n\r\n: comment\n\n", e[0], data)
		}
	}
}

func generation(status string) map[string]any {
	g := map[string]any{"id": "gen_1", "status": status, "model": "local", "images": []any{}, "metadata": map[string]any{"userId": "kept"}}
	if status == "completed" {
		g["images"] = []any{map[string]any{"id": "img_1", "url": "http://x/1.png", "width": 64, "size_bytes": 100}}
	}
	return g
}

func seedRequest() *TextToImageRequest {
	return &TextToImageRequest{Prompt: "A retro 80s synthwave sunset", Model: "stable-diffusion-xl", Parameters: &GenerationParameters{Width: 1024, Height: 1024, NumOutputs: 1}}
}

func TestSeedCallSendsSnakeCaseWithKeyAndIdempotencyKey(t *testing.T) {
	s, client := serve(t, jsonAnswer(200, generation("completed")))
	result, err := client.Generate.TextToImage(seedRequest())
	if err != nil {
		t.Fatal(err)
	}
	r := s.requests[0]
	if r.Method != "POST" || r.URL.Path != "/api/v2/generate/text-to-image" || r.Header.Get("Authorization") != "Bearer k_test" {
		t.Fatalf("request %s %s %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
	}
	if !regexp.MustCompile(`^sdk_[0-9a-f]{32}$`).MatchString(r.Header.Get("Idempotency-Key")) {
		t.Fatalf("Idempotency-Key %q", r.Header.Get("Idempotency-Key"))
	}
	want := `{"model":"stable-diffusion-xl","parameters":{"height":1024,"num_outputs":1,"width":1024},"prompt":"A retro 80s synthwave sunset"}`
	if s.bodies[0] != want {
		t.Fatalf("body %s, want %s", s.bodies[0], want)
	}
	if result.Images[0].URL != "http://x/1.png" || result.Images[0].SizeBytes != 100 || result.Metadata["userId"] != "kept" {
		t.Fatalf("result %+v", result)
	}
}

func TestEachCreateGetsItsOwnKeyOrTheCallers(t *testing.T) {
	s, client := serve(t, jsonAnswer(200, generation("completed")), jsonAnswer(200, generation("completed")), jsonAnswer(200, generation("completed")))
	for _, opts := range [][]RequestOption{nil, nil, {WithIdempotencyKey("mine-1")}} {
		if _, err := client.Generate.TextToImage(seedRequest(), opts...); err != nil {
			t.Fatal(err)
		}
	}
	keys := map[string]bool{}
	for _, r := range s.requests {
		keys[r.Header.Get("Idempotency-Key")] = true
	}
	if len(keys) != 3 || !keys["mine-1"] {
		t.Fatalf("keys %v", keys)
	}
}

func TestPathsAndQueries(t *testing.T) {
	s, client := serve(t, jsonAnswer(200, map[string]any{"generations": []any{}}), jsonAnswer(200, map[string]any{"model": map[string]any{"id": "a b"}}), jsonAnswer(200, map[string]any{}), func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	ctx := context.Background()
	if _, err := client.Generations.List(&ListGenerationsParams{PageSize: 10, Status: GenerationStatusProcessing}); err != nil {
		t.Fatal(err)
	}
	if m, err := client.Models.Get(ctx, "a b"); err != nil || m.Model.ID != "a b" {
		t.Fatal(m, err)
	}
	if _, err := client.Gallery.List(ctx, &GalleryListParams{Limit: 5, Tags: []string{"landscape", "nature"}, DateFrom: "2024-01-01"}); err != nil {
		t.Fatal(err)
	}
	if err := client.Collections.Delete(ctx, "col_1"); err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, r := range s.requests {
		seen = append(seen, r.Method+" "+r.URL.RequestURI())
		if r.Header.Get("Idempotency-Key") != "" {
			t.Fatalf("%s sent an Idempotency-Key", r.URL)
		}
	}
	want := "GET /api/v2/generations?page_size=10&status=processing|GET /api/v2/models/a%20b|GET /api/v2/gallery?date_from=2024-01-01&limit=5&tags=landscape%2Cnature|DELETE /api/v2/collections/col_1"
	if strings.Join(seen, "|") != want {
		t.Fatalf("requests\n%s\nwant\n%s", strings.Join(seen, "|"), want)
	}
}

func TestEnvironmentGivesKeyAndServer(t *testing.T) {
	s, _ := serve(t, jsonAnswer(200, map[string]any{"user": map[string]any{"id": "u"}}))
	t.Setenv("IMAGEGEN_API_KEY", "k_env")
	t.Setenv("IMAGEGEN_BASE_URL", s.server.URL)
	profile, err := NewClient("").User.Profile(context.Background())
	if err != nil || profile.User.ID != "u" || s.requests[0].Header.Get("Authorization") != "Bearer k_env" {
		t.Fatal(profile, err)
	}
}

func TestErrorCarriesTheEnvelope(t *testing.T) {
	_, client := serve(t, envelope(400, "INVALID_REQUEST", "validation_error"))
	_, err := client.Generate.TextToImage(&TextToImageRequest{Prompt: "p", Parameters: &GenerationParameters{Width: 100}})
	e, ok := AsError(err)
	if !ok || e.Status != 400 || e.Code != "INVALID_REQUEST" || e.Type != "validation_error" || e.RequestID != "req_abc" || e.Details["field"] != "parameters.width" {
		t.Fatalf("%#v", err)
	}
}

func TestBareStatusWithoutEnvelope(t *testing.T) {
	_, client := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-ID", "req_proxy")
		w.WriteHeader(502)
		_, _ = w.Write([]byte("<html>bad gateway</html>"))
	})
	_, err := client.Models.List(context.Background(), "")
	if e, ok := AsError(err); !ok || e.Status != 502 || e.Code != "UPSTREAM_UNAVAILABLE" || e.RequestID != "req_proxy" {
		t.Fatalf("%#v", err)
	}
}

func TestFailedGenerationReturnsItsCode(t *testing.T) {
	failed := generation("failed")
	failed["error"] = map[string]any{"reason": "content_policy", "message": "refused"}
	_, client := serve(t, jsonAnswer(200, failed))
	_, err := client.Generate.TextToImage(seedRequest())
	if e, ok := AsError(err); !ok || e.Status != 400 || e.Code != "CONTENT_POLICY" || e.Type != "content_policy_error" {
		t.Fatalf("%#v", err)
	}
}

func TestRetryAfterIsWaitedAndTheSameKeyResent(t *testing.T) {
	s, client := serve(t, envelope(429, "RATE_LIMITED", "rate_limit_error", "Retry-After", "1"), jsonAnswer(200, generation("completed")))
	started := time.Now()
	if _, err := client.Generate.TextToImage(seedRequest()); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(started); waited < 950*time.Millisecond || waited > 3*time.Second {
		t.Fatalf("waited %s", waited)
	}
	if s.requests[0].Header.Get("Idempotency-Key") != s.requests[1].Header.Get("Idempotency-Key") || s.bodies[0] != s.bodies[1] {
		t.Fatal("the retry differs from the first attempt")
	}
}

func TestUnavailableGivesUpAfterMaxRetries(t *testing.T) {
	a := envelope(503, "UNAVAILABLE", "service_unavailable")
	s, client := serve(t, a, a, a)
	_, err := client.Models.List(context.Background(), "")
	if e, ok := AsError(err); !ok || e.Status != 503 || len(s.requests) != 3 {
		t.Fatalf("%v after %d requests", err, len(s.requests))
	}
}

func TestLongRetryAfterIsReturnedAtOnce(t *testing.T) {
	s, client := serve(t, envelope(429, "RATE_LIMITED", "rate_limit_error", "Retry-After", "3600"))
	_, err := client.Generate.TextToImage(seedRequest())
	if e, ok := AsError(err); !ok || e.RetryAfter != time.Hour || len(s.requests) != 1 {
		t.Fatalf("%v after %d requests", err, len(s.requests))
	}
}

func TestOtherStatusesAreNotRetried(t *testing.T) {
	s, client := serve(t, envelope(500, "INTERNAL", "server_error"))
	if _, err := client.Generate.TextToImage(seedRequest()); err == nil || len(s.requests) != 1 {
		t.Fatalf("%v after %d requests", err, len(s.requests))
	}
}

func TestCanceledContextIsCanceled(t *testing.T) {
	_, client := serve(t, envelope(429, "RATE_LIMITED", "rate_limit_error", "Retry-After", "30"))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := client.Generate.TextToImageContext(ctx, seedRequest())
	if e, ok := AsError(err); !ok || e.Code != "TIMEOUT" || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%#v", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)
	for value, want := range map[string]time.Duration{"3": 3 * time.Second, "Wed, 21 Oct 2015 07:28:10 GMT": 10 * time.Second, "soon": 0, "": 0} {
		if got := parseRetryAfter(value, now); got != want {
			t.Errorf("%q: %s, want %s", value, got, want)
		}
	}
}

func TestWatchYieldsEventsUntilTheLast(t *testing.T) {
	s, client := serve(t, sse([2]any{"started", map[string]any{"type": "started", "generation": generation("processing")}}, [2]any{"completed", map[string]any{"type": "completed", "generation": generation("completed")}}))
	var types []string
	err := client.Generations.Watch(context.Background(), "gen_1", func(e *GenerationEvent) error {
		types = append(types, e.Type)
		return nil
	})
	if err != nil || strings.Join(types, ",") != "started,completed" {
		t.Fatal(types, err)
	}
	if s.requests[0].URL.Path != "/api/v2/generations/gen_1:watch" || s.requests[0].Header.Get("Accept") != "text/event-stream" {
		t.Fatal(s.requests[0].URL, s.requests[0].Header)
	}
}

func TestWatchErrorEvent(t *testing.T) {
	_, client := serve(t, sse([2]any{"error", map[string]any{"error": map[string]any{"code": "NOT_FOUND", "message": "no generation"}}}))
	err := client.Generations.Watch(context.Background(), "gen_x", func(*GenerationEvent) error { return nil })
	if e, ok := AsError(err); !ok || e.Status != 404 || e.Code != "NOT_FOUND" {
		t.Fatalf("%#v", err)
	}
}

func TestCreateAnswered202IsWaitedFor(t *testing.T) {
	s, client := serve(t, jsonAnswer(202, generation("processing")), sse([2]any{"completed", map[string]any{"type": "completed", "generation": generation("completed")}}))
	result, err := client.Generate.TextToImage(seedRequest())
	if err != nil || result.Status != GenerationStatusCompleted || s.requests[1].URL.Path != "/api/v2/generations/gen_1:watch" {
		t.Fatal(result, err)
	}
}

func TestRespondAsyncReturnsThePendingGeneration(t *testing.T) {
	s, client := serve(t, jsonAnswer(202, generation("processing")))
	result, err := client.Generate.TextToImage(seedRequest(), WithRespondAsync())
	if err != nil || result.Status != GenerationStatusProcessing || s.requests[0].Header.Get("Prefer") != "respond-async" {
		t.Fatal(result, err)
	}
}

func TestWaitResumesAfterAStreamThatEndsEarly(t *testing.T) {
	s, client := serve(t, sse([2]any{"started", map[string]any{"type": "started", "generation": generation("processing")}}), jsonAnswer(202, generation("processing")), sse([2]any{"completed", map[string]any{"type": "completed", "generation": generation("completed")}}))
	result, err := client.Generations.Wait("gen_1")
	if err != nil || result.Status != GenerationStatusCompleted || len(s.requests) != 3 {
		t.Fatal(result, err, len(s.requests))
	}
}

func TestMain(m *testing.M) {
	os.Unsetenv("IMAGEGEN_API_KEY")
	os.Unsetenv("IMAGEGEN_BASE_URL")
	os.Exit(m.Run())
}
