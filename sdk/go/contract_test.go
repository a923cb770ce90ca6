package imagegen

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/imagegen/imagegen-go/internal/gentypes"
)

var openapiPath = filepath.Join("..", "..", "packages", "proto", "openapi", "openapi.json")

func TestGeneratedTypesAreFresh(t *testing.T) {
	openapi, err := os.ReadFile(openapiPath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := gentypes.Render(openapi)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile("types_gen.go")
	if string(got) != string(want) {
		t.Fatal("types_gen.go is older than openapi.json: run npm run generate:sdks")
	}
}

// Every operation of the contract (admin calls aside) and the method that makes it.
var methods = map[string]string{
	"ImageService_TextToImage": "Generate.TextToImage", "ImageService_ImageToImage": "Generate.ImageToImage",
	"ImageService_Inpaint": "Generate.Inpaint", "ImageService_CreateVariations": "Generate.Variations",
	"ImageService_ApplyFilters": "Process.Filters", "ImageService_RemoveBackground": "Process.RemoveBackground",
	"ImageService_Upscale": "Process.Upscale", "ImageService_GetGeneration": "Generations.Get",
	"ImageService_ListGenerations": "Generations.List", "ImageService_CancelGeneration": "Generations.Cancel",
	"ImageService_WatchGeneration": "Generations.Watch", "ModelService_ListModels": "Models.List",
	"ModelService_GetModel": "Models.Get", "GalleryService_ListGalleryItems": "Gallery.List",
	"GalleryService_AddGalleryItem": "Gallery.Add", "GalleryService_DeleteGalleryItem": "Gallery.Delete",
	"GalleryService_CreateCollection": "Collections.Create", "GalleryService_ListCollections": "Collections.List",
	"GalleryService_GetCollection": "Collections.Get", "GalleryService_UpdateCollection": "Collections.Update",
	"GalleryService_DeleteCollection": "Collections.Delete", "WebhookService_CreateWebhook": "Webhooks.Create",
	"WebhookService_ListWebhooks": "Webhooks.List", "WebhookService_GetWebhook": "Webhooks.Get",
	"WebhookService_UpdateWebhook": "Webhooks.Update", "WebhookService_DeleteWebhook": "Webhooks.Delete",
	"WebhookService_ListWebhookDeliveries": "Webhooks.Deliveries", "WebhookService_GetDefaultWebhookSecret": "Webhooks.DefaultSecret",
	"WebhookService_RotateDefaultWebhookSecret": "Webhooks.RotateDefaultSecret", "UserService_GetProfile": "User.Profile",
	"UserService_UpdatePreferences":              "User.UpdatePreferences",
	"IntegrationService_ListIntegrationServices": "Integrations.Services", "IntegrationService_GetAuthorizeUrl": "Integrations.AuthorizeURL",
	"IntegrationService_CreateIntegration": "Integrations.Connect", "IntegrationService_ListIntegrations": "Integrations.List",
	"IntegrationService_GetIntegration": "Integrations.Get", "IntegrationService_UpdateIntegration": "Integrations.Update",
	"IntegrationService_DeleteIntegration": "Integrations.Delete", "IntegrationService_ListIntegrationUploads": "Integrations.Uploads",
	"OAuthAppService_CreateOAuthApp": "OAuthApps.Create", "OAuthAppService_ListOAuthApps": "OAuthApps.List",
	"OAuthAppService_GetOAuthApp": "OAuthApps.Get", "OAuthAppService_DeleteOAuthApp": "OAuthApps.Delete",
}

func TestEveryOperationHasAMethod(t *testing.T) {
	openapi, _ := os.ReadFile(openapiPath)
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openapi, &doc); err != nil {
		t.Fatal(err)
	}
	var missing []string
	client := reflect.ValueOf(NewClient("k")).Elem()
	for _, ops := range doc.Paths {
		for _, op := range ops {
			if strings.HasPrefix(op.OperationID, "AdminService_") {
				continue
			}
			dotted, ok := methods[op.OperationID]
			if !ok {
				missing = append(missing, op.OperationID)
				continue
			}
			parts := strings.Split(dotted, ".")
			if !client.FieldByName(parts[0]).MethodByName(parts[1]).IsValid() {
				missing = append(missing, dotted)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("no method for %v", missing)
	}
}

func TestErrorTableIsTheContracts(t *testing.T) {
	if row := errorTable["UNAUTHORIZED"]; row.Status != 401 || row.Type != "authentication_error" {
		t.Fatal(row)
	}
	for _, code := range tableOrder() {
		if _, ok := errorTable[code]; !ok {
			t.Errorf("tableOrder names %s, which the contract does not have", code)
		}
	}
}
