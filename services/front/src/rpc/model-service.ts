import type { ConnectRouter } from "@connectrpc/connect";
import { ModelService } from "@imagegen/proto/imagegen/v1/model_service_pb";
import type { ModelCatalog } from "../catalog/model-catalog.ts";

/** ModelService: the catalog as clients see it. */
export function registerModelService(router: ConnectRouter, catalog: ModelCatalog): void {
  router.service(ModelService, {
    listModels: (req) => ({ models: catalog.list(req.capability) }),
    getModel: (req) => ({ model: catalog.detail(req.modelId) }),
  });
}
