import type { ConnectRouter } from "@connectrpc/connect";
import { ModelService } from "@imagegen/proto/imagegen/v1/model_service_pb";
import type { ModelCatalog } from "../catalog/model-catalog.ts";

/** ModelService: the catalog as clients see it. */
export function registerModelService(router: ConnectRouter, catalog: ModelCatalog): void {
  router.service(ModelService, {
    async listModels(req) {
      await catalog.performance.fresh();
      return { models: catalog.list(req.capability) };
    },
    async getModel(req) {
      await catalog.performance.fresh();
      return { model: catalog.detail(req.modelId) };
    },
  });
}
