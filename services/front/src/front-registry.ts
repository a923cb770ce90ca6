import { createRegistry } from "@bufbuild/protobuf";
import { file_imagegen_admin_v1_admin_service } from "@imagegen/proto/imagegen/admin/v1/admin_service_pb";
import { file_imagegen_v1_gallery_service } from "@imagegen/proto/imagegen/v1/gallery_service_pb";
import { file_imagegen_v1_image_service } from "@imagegen/proto/imagegen/v1/image_service_pb";
import { file_imagegen_v1_model_service } from "@imagegen/proto/imagegen/v1/model_service_pb";
import { file_imagegen_v1_user_service } from "@imagegen/proto/imagegen/v1/user_service_pb";
import { file_imagegen_v1_webhook_service } from "@imagegen/proto/imagegen/v1/webhook_service_pb";
import { file_imagegen_v1_integration_service } from "@imagegen/proto/imagegen/v1/integration_service_pb";
import { file_imagegen_v1_oauth_app_service } from "@imagegen/proto/imagegen/v1/oauth_app_service_pb";
import { file_grpc_health_v1_health } from "@imagegen/proto/grpc/health/v1/health_pb";

/** The files the front serves, for its (internal) reflection endpoint. */
export const frontRegistry = createRegistry(
  file_imagegen_v1_image_service,
  file_imagegen_v1_model_service,
  file_imagegen_v1_gallery_service,
  file_imagegen_v1_webhook_service,
  file_imagegen_v1_integration_service,
  file_imagegen_v1_user_service,
  file_imagegen_v1_oauth_app_service,
  file_imagegen_admin_v1_admin_service,
  file_grpc_health_v1_health,
);
