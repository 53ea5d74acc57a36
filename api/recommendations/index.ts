/** The recommendation API's pieces, built once per app: its routes and the product page's view recorder. */
import type { Services } from '../../services';
import { recommendationRoutes } from './routes';
import { createViewRecorder } from './views';

export function createRecommendationApi(services: Services) {
  return {
    routes: recommendationRoutes(services.recQueries),
    recordView: createViewRecorder(services.tokens, services.productViews),
    publisher: services.productViews,
  };
}
