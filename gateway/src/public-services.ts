import { createRegistry, type DescService } from "@bufbuild/protobuf";
import { file_google_protobuf_struct, file_google_protobuf_timestamp } from "@bufbuild/protobuf/wkt";
import { AdminService, file_imagegen_admin_v1_admin_service } from "@imagegen/proto/imagegen/admin/v1/admin_service_pb";
import { file_imagegen_v1_gallery_service, GalleryService } from "@imagegen/proto/imagegen/v1/gallery_service_pb";
import { file_imagegen_v1_image_service, ImageService } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { file_imagegen_v1_model_service, ModelService } from "@imagegen/proto/imagegen/v1/model_service_pb";
import { file_imagegen_v1_user_service, UserService } from "@imagegen/proto/imagegen/v1/user_service_pb";
import { file_imagegen_v1_webhook_service, WebhookService } from "@imagegen/proto/imagegen/v1/webhook_service_pb";
import {
  file_imagegen_v1_integration_service,
  IntegrationService,
} from "@imagegen/proto/imagegen/v1/integration_service_pb";
import { file_imagegen_v1_oauth_app_service, OAuthAppService } from "@imagegen/proto/imagegen/v1/oauth_app_service_pb";
import { file_grpc_health_v1_health } from "@imagegen/proto/grpc/health/v1/health_pb";
import { file_grpc_reflection_v1_reflection } from "@imagegen/proto/grpc/reflection/v1/reflection_pb";

/** Every service the gateway exposes and forwards to the front, in the order they are documented. */
export const PUBLIC_SERVICES: readonly DescService[] = [
  ImageService,
  ModelService,
  GalleryService,
  WebhookService,
  IntegrationService,
  UserService,
  OAuthAppService,
  AdminService,
];

/** The files behind the public API (with their imports): for reflection and JSON of well-known types. */
export const publicRegistry = createRegistry(
  file_imagegen_v1_image_service,
  file_imagegen_v1_model_service,
  file_imagegen_v1_gallery_service,
  file_imagegen_v1_webhook_service,
  file_imagegen_v1_integration_service,
  file_imagegen_v1_user_service,
  file_imagegen_v1_oauth_app_service,
  file_imagegen_admin_v1_admin_service,
  file_grpc_health_v1_health,
  file_grpc_reflection_v1_reflection,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
);
