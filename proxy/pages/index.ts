export { notFoundPage } from './not-found-page.js';
export { pendingPage, type PendingPageInput } from './pending-page.js';
export { failedPage, type FailedPageInput } from './failed-page.js';
export { pausedPage } from './paused-page.js';
export { wakingPage, type WakingPageInput } from './waking-page.js';
export { appErrorPage } from './app-error-page.js';
