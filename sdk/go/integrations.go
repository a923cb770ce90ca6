package imagegen

import (
	"context"
	"net/url"
	"strconv"
)

// IntegrationsService connects the owner's Dropbox or Google Drive, where finished images are uploaded.
type IntegrationsService struct{ t *transport }

// Services is GET /api/v2/integrations/services: which services this deployment can connect.
func (s *IntegrationsService) Services(ctx context.Context) (*ListIntegrationServicesResponse, error) {
	var out ListIntegrationServicesResponse
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/integrations/services", retryNetwork: true}, requestOptions{}, &out)
}

// AuthorizeURL is GET /api/v2/integrations/{service}/authorize-url: the consent page, its state and PKCE code_verifier.
func (s *IntegrationsService) AuthorizeURL(ctx context.Context, service, redirectURI string) (*AuthorizeUrl, error) {
	var out AuthorizeUrl
	query := url.Values{}
	if redirectURI != "" {
		query.Set("redirect_uri", redirectURI)
	}
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/integrations/" + escape(service) + "/authorize-url", query: query, retryNetwork: true}, requestOptions{}, &out)
}

// Connect is POST /api/v2/integrations/connect. An authorization code is single-use: not resent after a network error.
func (s *IntegrationsService) Connect(ctx context.Context, req *CreateIntegrationRequest) (*IntegrationResponse, error) {
	var out IntegrationResponse
	return &out, s.t.call(ctx, exchange{method: "POST", path: "/api/v2/integrations/connect", body: req}, requestOptions{}, &out)
}

// List is GET /api/v2/integrations.
func (s *IntegrationsService) List(ctx context.Context) (*ListIntegrationsResponse, error) {
	var out ListIntegrationsResponse
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/integrations", retryNetwork: true}, requestOptions{}, &out)
}

// Get is GET /api/v2/integrations/{id}.
func (s *IntegrationsService) Get(ctx context.Context, id string) (*IntegrationResponse, error) {
	var out IntegrationResponse
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/integrations/" + escape(id), retryNetwork: true}, requestOptions{}, &out)
}

// Update is PATCH /api/v2/integrations/{id}: changes the settings that are set.
func (s *IntegrationsService) Update(ctx context.Context, id string, changes *UpdateIntegrationRequest) (*IntegrationResponse, error) {
	var out IntegrationResponse
	return &out, s.t.call(ctx, exchange{method: "PATCH", path: "/api/v2/integrations/" + escape(id), body: changes}, requestOptions{}, &out)
}

// Delete is DELETE /api/v2/integrations/{id}: revokes the token at the service; nothing is uploaded after it.
func (s *IntegrationsService) Delete(ctx context.Context, id string) error {
	return s.t.call(ctx, exchange{method: "DELETE", path: "/api/v2/integrations/" + escape(id), retryNetwork: true}, requestOptions{}, nil)
}

// Uploads is GET /api/v2/integrations/{id}/uploads, newest first (pageSize 0: the server's default).
func (s *IntegrationsService) Uploads(ctx context.Context, id string, pageSize int) (*ListIntegrationUploadsResponse, error) {
	var out ListIntegrationUploadsResponse
	query := url.Values{}
	if pageSize > 0 {
		query.Set("page_size", strconv.Itoa(pageSize))
	}
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/integrations/" + escape(id) + "/uploads", query: query, retryNetwork: true}, requestOptions{}, &out)
}
