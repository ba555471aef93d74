import type { Deps } from '../../infra/deps';
import { videoAnnotationRoutes } from './annotations';
import { clipRoutes } from './clips';
import { videoPlaybackRoutes } from './playback';
import { videoRouter } from './routing';
import { videoSessionRoutes } from './sessions';
import { videoUploadRoutes } from './uploads';

/**
 * The video family: sessions, direct-to-S3 uploads, playback and sharing, annotations, clips. Each
 * router's handlers validate, call a use case in src/app/videos and render a view.
 */
export function videoRoutes(deps: Deps) {
  const app = videoRouter();
  app.route('/', videoSessionRoutes(deps));
  app.route('/', videoUploadRoutes(deps));
  app.route('/', videoPlaybackRoutes(deps));
  app.route('/', videoAnnotationRoutes(deps));
  app.route('/', clipRoutes(deps));
  return app;
}
