package imagegen

import "context"

// OAuthAppsService registers third-party applications that act for users through OAuth 2.0
// (API keys only; see docs/authorizing-applications.md).
type OAuthAppsService struct{ t *transport }

// Create is POST /api/v2/oauth/apps; a confidential app's ClientSecret is in the answer, once.
// It is not retried: a repeat would register a second app.
func (s *OAuthAppsService) Create(ctx context.Context, req *CreateOAuthAppRequest) (*CreateOAuthAppResponse, error) {
	var out CreateOAuthAppResponse
	return &out, s.t.call(ctx, exchange{method: "POST", path: "/api/v2/oauth/apps", body: req}, requestOptions{}, &out)
}

// List is GET /api/v2/oauth/apps.
func (s *OAuthAppsService) List(ctx context.Context) (*ListOAuthAppsResponse, error) {
	var out ListOAuthAppsResponse
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/oauth/apps", retryNetwork: true}, requestOptions{}, &out)
}

// Get is GET /api/v2/oauth/apps/{client_id}.
func (s *OAuthAppsService) Get(ctx context.Context, clientID string) (*GetOAuthAppResponse, error) {
	var out GetOAuthAppResponse
	return &out, s.t.call(ctx, exchange{method: "GET", path: "/api/v2/oauth/apps/" + escape(clientID), retryNetwork: true}, requestOptions{}, &out)
}

// Delete is DELETE /api/v2/oauth/apps/{client_id}: every code and token of the app is revoked at once.
func (s *OAuthAppsService) Delete(ctx context.Context, clientID string) error {
	return s.t.call(ctx, exchange{method: "DELETE", path: "/api/v2/oauth/apps/" + escape(clientID), retryNetwork: true}, requestOptions{}, nil)
}
