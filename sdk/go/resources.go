package imagegen

import (
	"context"
	"net/url"
	"strconv"
	"strings"
)

// The namespaces of the API's resources: each method is one REST operation of the contract
// and takes a context first.

// ProcessService holds operations on an image you already have.
type ProcessService struct{ t *transport }

// Filters is POST /api/v2/process/filters.
func (s *ProcessService) Filters(ctx context.Context, req *ApplyFiltersRequest, opts ...RequestOption) (*ApplyFiltersResponse, error) {
	var out ApplyFiltersResponse
	return &out, s.t.call(ctx, exchange{method: "POST", path: "/api/v2/process/filters", body: req, create: true}, collect(opts), &out)
}

// RemoveBackground is POST /api/v2/process/remove-background.
func (s *ProcessService) RemoveBackground(ctx context.Context, req *RemoveBackgroundRequest, opts ...RequestOption) (*RemoveBackgroundResponse, error) {
	var out RemoveBackgroundResponse
	return &out, s.t.call(ctx, exchange{method: "POST", path: "/api/v2/process/remove-background", body: req, create: true}, collect(opts), &out)
}

// Upscale is POST /api/v2/process/upscale.
func (s *ProcessService) Upscale(ctx context.Context, req *UpscaleRequest, opts ...RequestOption) (*UpscaleResponse, error) {
	var out UpscaleResponse
	return &out, s.t.call(ctx, exchange{method: "POST", path: "/api/v2/process/upscale", body: req, create: true}, collect(opts), &out)
}

// ModelsService lists and describes models.
type ModelsService struct{ t *transport }

// List is GET /api/v2/models (capability "" = all).
func (s *ModelsService) List(ctx context.Context, capability string) (*ListModelsResponse, error) {
	query := url.Values{}
	if capability != "" {
		query.Set("capability", capability)
	}
	var out ListModelsResponse
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/models", query: query, retryNetwork: true}, requestOptions{}, &out)
}

// Get is GET /api/v2/models/{model_id}.
func (s *ModelsService) Get(ctx context.Context, modelID string) (*GetModelResponse, error) {
	var out GetModelResponse
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/models/" + escape(modelID), retryNetwork: true}, requestOptions{}, &out)
}

// GalleryService manages the gallery.
type GalleryService struct{ t *transport }

// GalleryListParams is seed 004's gallery query.
type GalleryListParams struct {
	Page, Limit                          int
	Sort, Order, Model, DateFrom, DateTo string
	Tags                                 []string
}

// List is GET /api/v2/gallery.
func (s *GalleryService) List(ctx context.Context, params *GalleryListParams) (*ListGalleryItemsResponse, error) {
	query := url.Values{}
	if p := params; p != nil {
		set := func(name, value string) {
			if value != "" {
				query.Set(name, value)
			}
		}
		if p.Page > 0 {
			set("page", strconv.Itoa(p.Page))
		}
		if p.Limit > 0 {
			set("limit", strconv.Itoa(p.Limit))
		}
		set("sort", p.Sort)
		set("order", p.Order)
		set("model", p.Model)
		set("date_from", p.DateFrom)
		set("date_to", p.DateTo)
		set("tags", strings.Join(p.Tags, ","))
	}
	var out ListGalleryItemsResponse
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/gallery", query: query, retryNetwork: true}, requestOptions{}, &out)
}

// Add is POST /api/v2/gallery/items.
func (s *GalleryService) Add(ctx context.Context, req *AddGalleryItemRequest, opts ...RequestOption) (*GalleryItemResponse, error) {
	var out GalleryItemResponse
	return &out, s.t.call(ctx, exchange{method: "POST", path: "/api/v2/gallery/items", body: req, create: true}, collect(opts), &out)
}

// Delete is DELETE /api/v2/gallery/items/{id}.
func (s *GalleryService) Delete(ctx context.Context, id string) error {
	return s.t.call(ctx, exchange{method: "DELETE", path: "/api/v2/gallery/items/" + escape(id), retryNetwork: true}, requestOptions{}, nil)
}

// CollectionsService manages collections.
type CollectionsService struct{ t *transport }

// Create is POST /api/v2/collections.
func (s *CollectionsService) Create(ctx context.Context, req *CreateCollectionRequest, opts ...RequestOption) (*CollectionResponse, error) {
	var out CollectionResponse
	return &out, s.t.call(ctx, exchange{method: "POST", path: "/api/v2/collections", body: req, create: true}, collect(opts), &out)
}

// List is GET /api/v2/collections.
func (s *CollectionsService) List(ctx context.Context, pageSize int, pageToken string) (*ListCollectionsResponse, error) {
	var out ListCollectionsResponse
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/collections", query: page(pageSize, pageToken), retryNetwork: true}, requestOptions{}, &out)
}

// Get is GET /api/v2/collections/{id}.
func (s *CollectionsService) Get(ctx context.Context, id string) (*CollectionResponse, error) {
	var out CollectionResponse
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/collections/" + escape(id), retryNetwork: true}, requestOptions{}, &out)
}

// Update is PATCH /api/v2/collections/{id}: changes the fields that are set.
func (s *CollectionsService) Update(ctx context.Context, id string, changes *UpdateCollectionRequest) (*CollectionResponse, error) {
	var out CollectionResponse
	return &out, s.t.call(ctx, exchange{method: "PATCH", path: "/api/v2/collections/" + escape(id), body: changes}, requestOptions{}, &out)
}

// Delete is DELETE /api/v2/collections/{id}.
func (s *CollectionsService) Delete(ctx context.Context, id string) error {
	return s.t.call(ctx, exchange{method: "DELETE", path: "/api/v2/collections/" + escape(id), retryNetwork: true}, requestOptions{}, nil)
}

// WebhooksService manages webhooks and the default signing secret.
type WebhooksService struct{ t *transport }

// Create is POST /api/v2/webhooks (a generated whsec_ secret is in the answer, once).
func (s *WebhooksService) Create(ctx context.Context, req *CreateWebhookRequest, opts ...RequestOption) (*WebhookResponse, error) {
	var out WebhookResponse
	return &out, s.t.call(ctx, exchange{method: "POST", path: "/api/v2/webhooks", body: req, create: true}, collect(opts), &out)
}

// List is GET /api/v2/webhooks.
func (s *WebhooksService) List(ctx context.Context) (*ListWebhooksResponse, error) {
	var out ListWebhooksResponse
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/webhooks", retryNetwork: true}, requestOptions{}, &out)
}

// Get is GET /api/v2/webhooks/{id}.
func (s *WebhooksService) Get(ctx context.Context, id string) (*WebhookResponse, error) {
	var out WebhookResponse
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/webhooks/" + escape(id), retryNetwork: true}, requestOptions{}, &out)
}

// Update is PATCH /api/v2/webhooks/{id}: changes the fields that are set.
func (s *WebhooksService) Update(ctx context.Context, id string, changes *UpdateWebhookRequest) (*WebhookResponse, error) {
	var out WebhookResponse
	return &out, s.t.call(ctx, exchange{method: "PATCH", path: "/api/v2/webhooks/" + escape(id), body: changes}, requestOptions{}, &out)
}

// Delete is DELETE /api/v2/webhooks/{id}.
func (s *WebhooksService) Delete(ctx context.Context, id string) error {
	return s.t.call(ctx, exchange{method: "DELETE", path: "/api/v2/webhooks/" + escape(id), retryNetwork: true}, requestOptions{}, nil)
}

// Deliveries is GET /api/v2/webhooks/{id}/deliveries: every delivery attempt.
func (s *WebhooksService) Deliveries(ctx context.Context, id string, pageSize int, pageToken string) (*ListWebhookDeliveriesResponse, error) {
	var out ListWebhookDeliveriesResponse
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/webhooks/" + escape(id) + "/deliveries", query: page(pageSize, pageToken), retryNetwork: true}, requestOptions{}, &out)
}

// DefaultSecret is GET /api/v2/webhooks/default/secret: the secret that signs requests' own webhook_url events.
func (s *WebhooksService) DefaultSecret(ctx context.Context) (*WebhookSecret, error) {
	var out WebhookSecret
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/webhooks/default/secret", retryNetwork: true}, requestOptions{}, &out)
}

// RotateDefaultSecret is POST /api/v2/webhooks/default/secret:rotate: the old secret signs nothing more.
func (s *WebhooksService) RotateDefaultSecret(ctx context.Context) (*WebhookSecret, error) {
	var out WebhookSecret
	return &out, s.t.call(ctx, exchange{method: "POST", path: "/api/v2/webhooks/default/secret:rotate", body: struct{}{}, create: true}, requestOptions{}, &out)
}

// UserService reads the caller's profile and preferences.
type UserService struct{ t *transport }

// Profile is GET /api/v2/user/profile.
func (s *UserService) Profile(ctx context.Context) (*GetProfileResponse, error) {
	var out GetProfileResponse
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/user/profile", retryNetwork: true}, requestOptions{}, &out)
}

// UpdatePreferences is PATCH /api/v2/user/preferences: changes the fields that are set.
func (s *UserService) UpdatePreferences(ctx context.Context, preferences *Preferences) (*GetProfileResponse, error) {
	var out GetProfileResponse
	return &out, s.t.call(ctx, exchange{method: "PATCH", path: "/api/v2/user/preferences", body: preferences}, requestOptions{}, &out)
}

func page(pageSize int, pageToken string) url.Values {
	query := url.Values{}
	if pageSize > 0 {
		query.Set("page_size", strconv.Itoa(pageSize))
	}
	if pageToken != "" {
		query.Set("page_token", pageToken)
	}
	return query
}
