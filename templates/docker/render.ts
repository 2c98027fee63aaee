import { SDK_TRAITS } from '../sdk-traits.js';
import type { RenderedTemplate, TemplateInput } from '../template-input.js';

export const DOCKER_TEMPLATE_VERSION = 1;

/** docker: the repo's own Dockerfile, served on `app_port` (default 7860). */
export function render(input: TemplateInput): RenderedTemplate {
  return { dockerfile: undefined, extraFiles: {}, port: input.appPort ?? SDK_TRAITS.docker.port };
}
