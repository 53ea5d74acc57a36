/** The recommendation API's pieces, built once per app: its routes and the product page's view recorder. */
import type { Deps } from '../../platform/deps';
import type { Logger } from '../../platform/logger';
import type { Services } from '../../services';
import { createRecQueries } from '../../services/recommendations/queries';
import { createViewPublisher } from '../../services/recommendations/view-publisher';
import { recommendationRoutes } from './routes';
import { createViewRecorder } from './views';

export function createRecommendationApi(deps: Deps, services: Services, logger: Logger) {
  const publisher = createViewPublisher(deps.kafka, logger.child({ component: 'product-views' }));
  return {
    routes: recommendationRoutes(createRecQueries(deps.redis, services.products)),
    recordView: createViewRecorder(services.tokens, publisher),
    publisher,
  };
}
