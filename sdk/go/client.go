// Package imagegen is the official Go SDK of the imagegen API (standard library only).
//
//	client := imagegen.NewClient("your_api_key", imagegen.WithBaseURL("http://localhost:8080"))
//	result, err := client.Generate.TextToImage(&imagegen.TextToImageRequest{Prompt: "a lighthouse"})
//
// Every method has a context-aware variant (TextToImageContext, ...). Errors are *Error.
package imagegen

import (
	"net/http"
	"os"
	"time"
)

// Version is the SDK's version, sent as X-Client-Version.
const Version = "0.1.0"

// DefaultBaseURL is the server used when neither WithBaseURL nor IMAGEGEN_BASE_URL says otherwise.
const DefaultBaseURL = "https://api.imagegen.app"

// Client calls the imagegen REST API. Its namespaces mirror the API's parts.
type Client struct {
	Generate     *GenerateService
	Process      *ProcessService
	Generations  *GenerationsService
	Models       *ModelsService
	Gallery      *GalleryService
	Collections  *CollectionsService
	Webhooks     *WebhooksService
	Integrations *IntegrationsService
	User         *UserService
	OAuthApps    *OAuthAppsService

	transport *transport
}

// Option configures a Client.
type Option func(*transport)

// WithBaseURL sets the server root, e.g. "http://localhost:8080" (default: IMAGEGEN_BASE_URL, else DefaultBaseURL).
func WithBaseURL(url string) Option { return func(t *transport) { t.baseURL = url } }

// WithHTTPClient sets the http.Client (default: a client without a timeout; bound calls with a context).
func WithHTTPClient(client *http.Client) Option { return func(t *transport) { t.http = client } }

// WithMaxRetries sets how often a call answered 429 or 503 is retried (default 2).
func WithMaxRetries(n int) Option { return func(t *transport) { t.maxRetries = n } }

// WithMaxRetryDelay sets the longest Retry-After waited for (default 60 s); a longer one is returned at once.
func WithMaxRetryDelay(d time.Duration) Option { return func(t *transport) { t.maxRetryDelay = d } }

// NewClient returns a client that authenticates with apiKey (an API key or an OAuth access
// token; "" reads IMAGEGEN_API_KEY).
func NewClient(apiKey string, opts ...Option) *Client {
	if apiKey == "" {
		apiKey = os.Getenv("IMAGEGEN_API_KEY")
	}
	t := &transport{apiKey: apiKey, baseURL: os.Getenv("IMAGEGEN_BASE_URL"), http: http.DefaultClient, maxRetries: 2, maxRetryDelay: time.Minute}
	if t.baseURL == "" {
		t.baseURL = DefaultBaseURL
	}
	for _, opt := range opts {
		opt(t)
	}
	c := &Client{transport: t}
	c.Generations = &GenerationsService{t: t}
	c.Generate = &GenerateService{t: t, generations: c.Generations}
	c.Process = &ProcessService{t: t}
	c.Models = &ModelsService{t: t}
	c.Gallery = &GalleryService{t: t}
	c.Collections = &CollectionsService{t: t}
	c.Webhooks = &WebhooksService{t: t}
	c.Integrations = &IntegrationsService{t: t}
	c.User = &UserService{t: t}
	c.OAuthApps = &OAuthAppsService{t: t}
	return c
}
