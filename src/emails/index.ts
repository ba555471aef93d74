import { healthCheckEmail } from './health-check';
import type { RenderedEmail } from './layout';

// Every email the product sends, by template name. One module per email; each renders HTML + text
// from plain data, so activities pass only names and data through workflow history.
export const TEMPLATES = {
  health_check: healthCheckEmail,
} satisfies Record<string, (data: never) => RenderedEmail>;

export type TemplateName = keyof typeof TEMPLATES;
export type TemplateData<T extends TemplateName> = Parameters<(typeof TEMPLATES)[T]>[0];

export function renderEmail<T extends TemplateName>(template: T, data: TemplateData<T>): RenderedEmail {
  return (TEMPLATES[template] as (d: TemplateData<T>) => RenderedEmail)(data);
}

export type { RenderedEmail };
