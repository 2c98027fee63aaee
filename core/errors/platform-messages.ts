import { defineMessages } from './define-messages.js';

/** core/, proxy/ and controller/internal-api/ (the API between them): names, options, the proxy's own answers. */
export const PLATFORM_MESSAGES = defineMessages({
  // names (core/ids.ts)
  namePartInvalid: {
    code: 'InvalidName',
    message: (p: { label: string; part: string; problem: string }) => `Invalid ${p.label} "${p.part.slice(0, 100)}": ${p.problem}.`,
  },

  // proxy options (checked once at start)
  proxyOptionNotPositive: {
    code: 'Internal',
    message: (p: { name: string; allowZero: boolean; value: number }) =>
      `proxy option ${p.name} must be a ${p.allowZero ? 'non-negative' : 'positive'} number, got ${p.value}`,
  },
  proxyOptionDomainInvalid: { code: 'Internal', message: (p: { domain: string }) => `proxy option domain must be a host name, got "${p.domain}"` },
  proxyOptionFrameAncestorInvalid: {
    code: 'Internal',
    message: (p: { item: string }) => `proxy option frameAncestors: "${p.item}" is not an origin like https://example.com`,
  },

  // the proxy's own answers on Space hosts
  proxySpaceNotFound: { code: 'RepoNotFound', message: () => 'Space not found.' },
  proxyHostHeaderNotSingle: { code: 'BadRequest', message: () => 'The request must have exactly one Host header.' },

  // the internal API (controller ↔ proxy)
  controllerAnswered: {
    code: 'Internal',
    message: (p: { httpStatus: number; path: string; message: string | undefined }) =>
      `controller answered ${p.httpStatus} to ${p.path}${p.message ? `: ${p.message}` : ''}${
        p.httpStatus === 401 ? ' (check that SPACEPORT_INTERNAL_TOKEN is the same on the proxy and the controller)' : ''
      }`,
  },
  internalBodyNotJson: { code: 'BadRequest', message: () => 'The request body is not valid JSON.' },
  internalBodyInvalid: { code: 'BadRequest', message: (p: { problems: readonly string[] }) => `Invalid request: ${p.problems.join('; ')}.` },
  internalTokenRequired: {
    code: 'Unauthorized',
    message: () => 'A valid internal token is required: send "Authorization: Bearer <SPACEPORT_INTERNAL_TOKEN>".',
  },
  routeStreamNeedsUpgrade: { code: 'BadRequest', message: () => 'The route stream is a websocket: send an Upgrade request.' },
});
