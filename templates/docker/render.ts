import { TEMPLATE_PORTS, type RenderedTemplate, type TemplateInput } from '../template-input.js';

export const DOCKER_TEMPLATE_VERSION = 1;

/** docker: the repo's own Dockerfile, served on `app_port` (default 7860). */
export function render(input: TemplateInput): RenderedTemplate {
  return { dockerfile: undefined, extraFiles: {}, port: input.appPort ?? TEMPLATE_PORTS.docker };
}
