"""The SDK against the API contract (packages/proto/openapi/openapi.json in this repository)."""
import inspect
import json
import pathlib
import unittest

from imagegen import ERROR_TABLE, SDK_VERSION, ImageGenClient

OPENAPI = pathlib.Path(__file__).resolve().parents[3] / "packages" / "proto" / "openapi" / "openapi.json"

# Every operation of the contract and the client method that calls it (admin calls: not in this SDK).
METHODS = {
    "ImageService_TextToImage": "generate.text_to_image",
    "ImageService_ImageToImage": "generate.image_to_image",
    "ImageService_Inpaint": "generate.inpaint",
    "ImageService_CreateVariations": "generate.variations",
    "ImageService_ApplyFilters": "process.filters",
    "ImageService_RemoveBackground": "process.remove_background",
    "ImageService_Upscale": "process.upscale",
    "ImageService_GetGeneration": "generations.get",
    "ImageService_ListGenerations": "generations.list",
    "ImageService_CancelGeneration": "generations.cancel",
    "ImageService_WatchGeneration": "generations.watch",
    "ModelService_ListModels": "models.list",
    "ModelService_GetModel": "models.get",
    "GalleryService_ListGalleryItems": "gallery.list",
    "GalleryService_AddGalleryItem": "gallery.add",
    "GalleryService_DeleteGalleryItem": "gallery.delete",
    "GalleryService_CreateCollection": "collections.create",
    "GalleryService_ListCollections": "collections.list",
    "GalleryService_GetCollection": "collections.get",
    "GalleryService_UpdateCollection": "collections.update",
    "GalleryService_DeleteCollection": "collections.delete",
    "WebhookService_CreateWebhook": "webhooks.create",
    "WebhookService_ListWebhooks": "webhooks.list",
    "WebhookService_GetWebhook": "webhooks.get",
    "WebhookService_UpdateWebhook": "webhooks.update",
    "WebhookService_DeleteWebhook": "webhooks.delete",
    "WebhookService_ListWebhookDeliveries": "webhooks.deliveries",
    "WebhookService_GetDefaultWebhookSecret": "webhooks.default_secret",
    "WebhookService_RotateDefaultWebhookSecret": "webhooks.rotate_default_secret",
    "UserService_GetProfile": "user.profile",
    "UserService_UpdatePreferences": "user.update_preferences",
    "IntegrationService_ListIntegrationServices": "integrations.services",
    "IntegrationService_GetAuthorizeUrl": "integrations.authorize_url",
    "IntegrationService_CreateIntegration": "integrations.connect",
    "IntegrationService_ListIntegrations": "integrations.list",
    "IntegrationService_GetIntegration": "integrations.get",
    "IntegrationService_UpdateIntegration": "integrations.update",
    "IntegrationService_DeleteIntegration": "integrations.delete",
    "IntegrationService_ListIntegrationUploads": "integrations.uploads",
    "OAuthAppService_CreateOAuthApp": "oauth_apps.create",
    "OAuthAppService_ListOAuthApps": "oauth_apps.list",
    "OAuthAppService_GetOAuthApp": "oauth_apps.get",
    "OAuthAppService_DeleteOAuthApp": "oauth_apps.delete",
}


class ContractTest(unittest.TestCase):
    def setUp(self):
        self.api = json.loads(OPENAPI.read_text())
        self.operations = {op["operationId"]: (method.upper(), path) for path, methods in self.api["paths"].items() for method, op in methods.items()}

    def test_every_operation_has_a_method(self):
        public = {op for op in self.operations if not op.startswith("AdminService_")}
        self.assertEqual(set(METHODS), public)
        client = ImageGenClient(api_key="k")
        for operation, dotted in METHODS.items():
            namespace, name = dotted.split(".")
            self.assertTrue(callable(getattr(getattr(client, namespace), name)), dotted)

    def test_each_method_names_its_method_and_path(self):
        # The docstring of every method states the REST call it makes; check it against the contract.
        client = ImageGenClient(api_key="k")
        for operation, dotted in METHODS.items():
            method, path = self.operations[operation]
            namespace, name = dotted.split(".")
            doc = inspect.getdoc(getattr(getattr(client, namespace), name)) or ""
            with self.subTest(dotted):
                self.assertIn(f"{method} {path}", doc)

    def test_version_is_the_distributions(self):
        pyproject = (pathlib.Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
        self.assertIn(f'version = "{SDK_VERSION}"', pyproject)

    def test_error_table_is_the_contracts(self):
        contract = {row["code"]: (row["http_status"], row["type"]) for row in self.api["x-error-table"]}
        self.assertEqual(ERROR_TABLE, contract)


if __name__ == "__main__":
    unittest.main()
